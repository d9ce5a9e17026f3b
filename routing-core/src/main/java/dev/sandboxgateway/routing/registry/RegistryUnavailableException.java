package dev.sandboxgateway.routing.registry;

import org.jspecify.annotations.Nullable;


/** The registry could not be asked: not connected, timed out, or answered with an error. */
public final class RegistryUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RegistryUnavailableException(String message) {
        super(message);
    }

    public RegistryUnavailableException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
