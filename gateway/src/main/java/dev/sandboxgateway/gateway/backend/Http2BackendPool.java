package dev.sandboxgateway.gateway.backend;

import dev.sandboxgateway.config.GatewayConfig;
import dev.sandboxgateway.gateway.metrics.GatewayMetrics;
import dev.sandboxgateway.gateway.transport.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.IdentityHashMap;
import java.util.Objects;

/**
 * HTTP/2 cleartext (h2c, prior knowledge) connections to sandboxes, for gRPC: each exchange gets a
 * stream of its own, on a connection shared by every exchange of the same event loop to the same
 * sandbox port. Trailers and both directions of a stream then pass through unchanged.
 */
public final class Http2BackendPool {

    private final IdentityHashMap<EventExecutor, LoopHttp2Pool> pools = new IdentityHashMap<>();

    public Http2BackendPool(EventLoopGroup group, NettyTransport transport, BackendNames names,
                            GatewayConfig.Backend settings, GatewayListeners listeners, GatewayMetrics metrics) {
        Bootstrap template = BackendPool.connectTemplate(transport, names, settings);
        GatewayListenerGuard guard = new GatewayListenerGuard(listeners);
        for (EventExecutor executor : group) {
            pools.put(executor, new LoopHttp2Pool((EventLoop) executor, template, guard, settings, metrics));
        }
        metrics.gauge("gateway.backend.http2.connections.open", "Open HTTP/2 (h2c) connections to sandboxes", this,
                p -> p.pools.values().stream().mapToInt(LoopHttp2Pool::openCount).sum());
    }

    /** Hands {@code callback} a new stream to {@code key} on a connection owned by {@code loop}; call from that loop. */
    public void acquire(EventLoop loop, BackendKey key, AcquireCallback callback) {
        Objects.requireNonNull(pools.get(loop), "not an event loop of this pool").acquire(key, callback);
    }

    /** Closes connections that carry no stream (at shutdown). */
    public void closeIdle() {
        for (LoopHttp2Pool pool : pools.values()) {
            pool.loop().execute(pool::closeIdle);
        }
    }
}
