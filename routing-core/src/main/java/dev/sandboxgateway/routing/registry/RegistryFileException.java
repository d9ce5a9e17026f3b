package dev.sandboxgateway.routing.registry;

import org.jspecify.annotations.Nullable;


/** A registry file that cannot be used; the message names the file, the line when known, and the problem. */
public final class RegistryFileException extends Exception {

    private static final long serialVersionUID = 1L;

    RegistryFileException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
