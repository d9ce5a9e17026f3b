package dev.sandboxgateway.gateway.relay;

import dev.sandboxgateway.gateway.request.SandboxSlots;
import io.netty.channel.Channel;

/**
 * What an {@link Exchange} asks of the client connection (or HTTP/2 stream) it serves; everything
 * else about the connection it is given as values when it starts.
 */
public interface ClientSide extends SandboxSlots {

    /** Whether the connection is draining: it closes once the current response is complete. */
    boolean draining();

    /** The exchange's appetite for request bytes changed: reading from the client may pause or resume. */
    void updateReading();

    /** The exchange is over and wrote its last byte; the connection closes when {@code close}. */
    void exchangeFinished(Exchange exchange, boolean close);

    /**
     * The sandbox accepted a WebSocket upgrade and its 101 was written: the client connection and
     * {@code backend} become a byte tunnel.
     */
    void switchToTunnel(Channel backend);
}
