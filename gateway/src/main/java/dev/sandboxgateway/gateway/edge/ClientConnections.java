package dev.sandboxgateway.gateway.edge;

import dev.sandboxgateway.gateway.relay.ConnectionEvent;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every open client connection, for draining at shutdown and for the active-connection gauges.
 * Each connection's {@link ClientHandler} adds it when it becomes active and removes it when it
 * closes: one close listener per connection does all of a connection's bookkeeping.
 */
public final class ClientConnections {

    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private final AtomicInteger webSocketTunnels = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();

    /** Tracks {@code channel}; returns how many connections are open with it. */
    int add(Channel channel) {
        channels.add(channel);
        return open.incrementAndGet();
    }

    void remove(Channel channel) {
        if (channels.remove(channel)) {
            open.decrementAndGet();
        }
    }

    void tunnelOpened() {
        webSocketTunnels.incrementAndGet();
    }

    void tunnelClosed() {
        webSocketTunnels.decrementAndGet();
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
            channel.pipeline().fireUserEventTriggered(ConnectionEvent.DRAIN);
        }
        for (Channel channel : channels) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0 || !channel.closeFuture().awaitUninterruptibly(remaining, TimeUnit.NANOSECONDS)) {
                closeAll();
                return false;
            }
        }
        return true;
    }

    private void closeAll() {
        List<ChannelFuture> closing = new ArrayList<>();
        for (Channel channel : channels) {
            closing.add(channel.close());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ChannelFuture future : closing) {
            future.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }
}
