package dev.sandboxgateway.gateway.request;

import dev.sandboxgateway.routing.policy.GatewayError;

/** Why the gateway's own request checks failed a request head that Netty's decoder accepted. */
public final class RequestRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient GatewayError error;

    public RequestRejectedException(GatewayError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    public GatewayError error() {
        return error;
    }
}
