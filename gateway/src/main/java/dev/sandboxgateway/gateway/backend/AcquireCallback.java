package dev.sandboxgateway.gateway.backend;

import dev.sandboxgateway.routing.policy.GatewayError;

/** Told how a {@link BackendPool#acquire} ended; always called on the requesting event loop. */
public interface AcquireCallback {

    /**
     * @param connection   ready for one request
     * @param reused       taken from the pool rather than newly connected
     * @param connectNanos time spent connecting; 0 when reused
     */
    void onAcquired(BackendConnection connection, boolean reused, long connectNanos);

    /** @param detail what happened, for the client message and logs */
    void onAcquireFailed(GatewayError error, String detail);
}
