package dev.sandboxgateway.gateway.relay;

/**
 * Fired down a client pipeline to ask its connection to finish. Whichever handler serves the
 * connection then (the HTTP client handler, or a WebSocket tunnel) closes it once what is in
 * flight may no longer complete.
 */
public enum ConnectionEvent {
    /** The gateway is shutting down: finish the current response, then close. */
    DRAIN,
    /** The connection's sandbox was removed, stopped or moved: finish within the grace period, then close. */
    SANDBOX_CHANGED
}
