package dev.sandboxgateway.gateway.tls;

import org.jspecify.annotations.Nullable;

/** A certificate entry that cannot be served; the message names the entry and what is wrong with it. */
public final class CertificateLoadException extends Exception {

    CertificateLoadException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
