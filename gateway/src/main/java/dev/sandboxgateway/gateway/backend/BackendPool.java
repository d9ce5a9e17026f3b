package dev.sandboxgateway.gateway.backend;

import dev.sandboxgateway.config.GatewayConfig;
import dev.sandboxgateway.gateway.metrics.GatewayMetrics;
import dev.sandboxgateway.gateway.transport.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Pooled connections to sandbox backends, one {@link LoopPool} per event loop. Keyed by backend
 * address and port, so every client connection of a loop shares that loop's warm connections.
 */
public final class BackendPool {

    private final IdentityHashMap<EventExecutor, LoopPool> pools = new IdentityHashMap<>();

    /**
     * @param settings  {@code backend.*}: timeouts and the pool's limits, which hold per event loop
     * @param listeners the gateway's own, which no backend connection may reach
     */
    public BackendPool(EventLoopGroup group, NettyTransport transport, BackendNames names,
                       GatewayConfig.Backend settings, GatewayListeners listeners, GatewayMetrics metrics) {
        Bootstrap template = connectTemplate(transport, names, settings);
        GatewayListenerGuard guard = new GatewayListenerGuard(listeners);
        for (EventExecutor executor : group) {
            pools.put(executor, new LoopPool((EventLoop) executor, template, guard, settings, metrics));
        }
        metrics.gauge("gateway.backend.connections.open", "Open connections to sandboxes", this,
                p -> p.pools.values().stream().mapToInt(l -> l.openCount).sum());
        metrics.gauge("gateway.backend.connections.idle", "Idle pooled connections to sandboxes", this,
                p -> p.pools.values().stream().mapToInt(l -> l.idleCount).sum());
    }

    /**
     * How every backend connection is opened, HTTP/1.1 or h2c; cloned per event loop. A host name
     * ({@link #address}) is resolved by {@code names} on the connecting loop.
     */
    static Bootstrap connectTemplate(NettyTransport transport, BackendNames names, GatewayConfig.Backend settings) {
        return transport.clientBootstrap()
                .resolver(names.resolvers())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.max(1, settings.connectTimeout().toMillis()))
                // TCP_NODELAY is Netty's default on every socket it opens; SO_KEEPALIVE finds dead peers of idle pooled connections.
                .option(ChannelOption.SO_KEEPALIVE, true);
    }

    /**
     * Where to connect for {@code key}: an address literal as it is, connected without a lookup; a
     * host name left unresolved, for the bootstrap's resolver.
     */
    static InetSocketAddress address(BackendKey key) {
        InetAddress literal = NetUtil.createInetAddressFromIpAddressString(key.host());
        return literal != null ? new InetSocketAddress(literal, key.port())
                : InetSocketAddress.createUnresolved(key.host(), key.port());
    }

    /**
     * Runs a pool's sweep for connections idle past {@code backend.pool.idleTimeout} on its loop, at
     * half that timeout (at least every 50 ms), so none outlives it by more than half.
     */
    static void scheduleIdleSweep(EventLoop loop, GatewayConfig.Pool pool, Runnable sweep) {
        long sweepNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(50), pool.idleTimeout().toNanos() / 2);
        loop.scheduleWithFixedDelay(sweep, sweepNanos, sweepNanos, TimeUnit.NANOSECONDS);
    }

    /** Hands {@code callback} a connection to {@code key} owned by {@code loop}; call from that loop. */
    public void acquire(EventLoop loop, BackendKey key, AcquireCallback callback) {
        Objects.requireNonNull(pools.get(loop), "not an event loop of this pool").acquire(key, callback);
    }

    /** Closes idle connections on every loop (at shutdown). */
    public void closeIdle() {
        for (LoopPool pool : pools.values()) {
            pool.loop().execute(pool::closeIdle);
        }
    }
}
