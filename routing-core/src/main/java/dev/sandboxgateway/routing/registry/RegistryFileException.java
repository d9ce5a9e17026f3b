package dev.sandboxgateway.routing.registry;


/** A registry file that cannot be used; the message names the file, the line when known, and the problem. */
public final class RegistryFileException extends Exception {

    private static final long serialVersionUID = 1L;

    RegistryFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
