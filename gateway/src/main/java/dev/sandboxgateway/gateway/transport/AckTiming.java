package dev.sandboxgateway.gateway.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.unix.IntegerUnixChannelOption;

/**
 * When a listener's connections acknowledge what the client sent (Linux {@code TCP_QUICKACK}).
 *
 * <p>A new TCP connection acknowledges its first data segments at once, each in a packet of its
 * own. A client of an HTTP listener sends a whole request and then waits for the response, which
 * carries the acknowledgement anyway: the separate one is a packet per connection for nothing,
 * one in ten of a connection-per-request exchange. Delayed from the first byte, it rides on the
 * response, as HAProxy's HTTP listeners do.
 *
 * <p>The cost of a delayed acknowledgement falls on a client that sends part of a request and holds
 * the rest back until the first part is acknowledged (Nagle's algorithm, on sockets without
 * {@code TCP_NODELAY}): it would wait for the delayed-ACK timer, 40 ms or more on Linux. Whatever
 * reads the request must therefore call {@link #ackNow} as soon as it holds part of one.
 */
public final class AckTiming {

    /** {@code setsockopt(IPPROTO_TCP, TCP_QUICKACK)}: both numbers are Linux ABI. */
    private static final IntegerUnixChannelOption TCP_QUICKACK = new IntegerUnixChannelOption("TCP_QUICKACK", 6, 12);

    private AckTiming() {
    }

    /**
     * Has the connections {@code listener} accepts from now on delay their acknowledgements from
     * the first byte. The listener must be listening already: {@code listen()} resets the setting,
     * and accepted sockets inherit it from the listening one.
     *
     * @return false, and nothing changed, where the transport or the kernel does not take it
     */
    public static boolean delayOnAccepted(Channel listener) {
        try {
            return listener.config().setOption(TCP_QUICKACK, 0);
        } catch (ChannelException e) {
            return false;
        }
    }

    /**
     * Has {@code accepted} acknowledge what it has received now, and what follows at once, until the
     * kernel sees the connection answering again. Does nothing on a transport that cannot set it.
     */
    public static void ackNow(Channel accepted) {
        try {
            accepted.config().setOption(TCP_QUICKACK, 1);
        } catch (ChannelException e) {
            // The socket is closing (its descriptor is gone): there is nothing left to acknowledge.
        }
    }
}
