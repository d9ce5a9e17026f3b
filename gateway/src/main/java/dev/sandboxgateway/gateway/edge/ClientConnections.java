package dev.sandboxgateway.gateway.edge;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every open client connection, for draining at shutdown and for the active-connection gauges.
 * A channel leaves the group by itself when it closes.
 */
public final class ClientConnections {

    /** Fired down each client pipeline when draining starts. */
    static final Object DRAIN = new Object() {
        @Override
        public String toString() {
            return "DRAIN";
        }
    };

    private final ChannelGroup channels = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    private final AtomicInteger webSocketTunnels = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();

    /** Tracks {@code channel} until it closes; returns how many connections are open with it. */
    int add(Channel channel) {
        channels.add(channel);
        channel.closeFuture().addListener(f -> open.decrementAndGet());
        return open.incrementAndGet();
    }

    void tunnelOpened(Channel channel) {
        webSocketTunnels.incrementAndGet();
        channel.closeFuture().addListener(f -> webSocketTunnels.decrementAndGet());
    }

    public int active() {
        return open.get();
    }

    public int webSocketTunnels() {
        return webSocketTunnels.get();
    }

    /**
     * Asks every connection to finish: idle keep-alive connections close now, busy ones after
     * their current response, and whatever is still open at the deadline is closed.
     *
     * @return whether every connection closed by itself before the deadline
     */
    public boolean drain(long timeout, TimeUnit unit) {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (Channel channel : channels) {
            channel.pipeline().fireUserEventTriggered(DRAIN);
        }
        while (!channels.isEmpty()) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
                return false;
            }
            channels.newCloseFuture().awaitUninterruptibly(remaining, TimeUnit.NANOSECONDS);
        }
        return true;
    }
}
