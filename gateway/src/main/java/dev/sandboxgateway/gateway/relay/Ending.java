package dev.sandboxgateway.gateway.relay;

/**
 * How an {@link Exchange} ended. It decides what becomes of the backend connection (back to its
 * pool, closed, or handed to a tunnel) and how the request is counted.
 */
enum Ending {
    /** The sandbox's response was relayed whole, and its connection can serve another request. */
    RELAYED,
    /** Relayed whole, but the sandbox's connection cannot be reused: it asked to close, or the request was cut short. */
    RELAYED_CLOSING,
    /** The two connections became a WebSocket tunnel. */
    UPGRADED,
    /** The gateway answered itself: an error or a redirect. */
    ANSWERED,
    /** The response had started and cannot be completed: the client connection is cut. */
    ABORTED,
    /** The client went away first. */
    CLIENT_GONE
}
