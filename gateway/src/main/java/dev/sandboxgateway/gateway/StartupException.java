package dev.sandboxgateway.gateway;

import org.jspecify.annotations.Nullable;

/** The gateway cannot start; the message names the setting at fault. */
public final class StartupException extends Exception {

    private static final long serialVersionUID = 1L;

    public StartupException(@Nullable String message, Throwable cause) {
        super(message, cause);
    }
}
