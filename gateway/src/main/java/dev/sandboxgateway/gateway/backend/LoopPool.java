package dev.sandboxgateway.gateway.backend;

import dev.sandboxgateway.config.GatewayConfig;
import dev.sandboxgateway.gateway.metrics.GatewayMetrics;
import dev.sandboxgateway.gateway.transport.DecodedHeaderNames;
import dev.sandboxgateway.routing.policy.GatewayError;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The backend connections of one event loop. Touched only from that loop, so it needs no locks;
 * a client connection always gets a backend connection owned by its own thread (no hand-offs).
 * Idle connections are reused most-recently-used first, which keeps the warm ones warm and lets
 * the rest reach the idle timeout.
 */
final class LoopPool implements ConnectionOwner {

    /** The largest response line and head accepted from a sandbox. */
    private static final int MAX_RESPONSE_HEAD_SIZE = 64 * 1024;

    /** The connections to one backend address. */
    private static final class Entry {
        final ArrayDeque<BackendConnection> idle = new ArrayDeque<>();
        int open;
    }

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final GatewayListenerGuard guard;
    private final GatewayConfig.Pool limits;
    private final long connectTimeoutNanos;
    private final long responseTimeoutNanos;
    private final long idleTimeoutNanos;
    private final HttpDecoderConfig responseDecoder;
    private final GatewayMetrics metrics;
    private final Map<BackendKey, Entry> entries = new HashMap<>();
    int openCount;
    int idleCount;

    LoopPool(EventLoop loop, Bootstrap template, GatewayListenerGuard guard, GatewayConfig.Backend settings,
             GatewayMetrics metrics) {
        this.loop = loop;
        this.guard = guard;
        this.limits = settings.pool();
        this.connectTimeoutNanos = settings.connectTimeout().toNanos();
        this.responseTimeoutNanos = settings.responseTimeout().toNanos();
        this.idleTimeoutNanos = limits.idleTimeout().toNanos();
        this.responseDecoder = DecodedHeaderNames.uncheckedHeaders(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_RESPONSE_HEAD_SIZE)
                .setMaxHeaderSize(MAX_RESPONSE_HEAD_SIZE)
                .setMaxChunkSize(65536));
        this.metrics = metrics;
        this.bootstrap = template.clone(loop);
        BackendPool.scheduleIdleSweep(loop, limits, this::closeExpired);
    }

    void acquire(BackendKey key, AcquireCallback callback) {
        Entry entry = entries.get(key);
        if (entry != null) {
            BackendConnection pooled;
            while ((pooled = entry.idle.pollFirst()) != null) {
                idleCount--;
                if (pooled.channel().isActive()) {
                    callback.onAcquired(pooled, true, 0);
                    return;
                }
            }
        } else {
            entry = new Entry();
            entries.put(key, entry);
        }
        if (entry.open >= limits.maxConnectionsPerBackend()) {
            callback.onAcquireFailed(GatewayError.BACKEND_POOL_EXHAUSTED,
                    entry.open + " connections are already open to this sandbox port");
            return;
        }
        connect(key, entry, callback);
    }

    private void connect(BackendKey key, Entry entry, AcquireCallback callback) {
        entry.open++;
        openCount++;
        BackendConnection connection = new BackendConnection(key, this, responseTimeoutNanos);
        long start = System.nanoTime();
        ChannelFuture connect = bootstrap.clone()
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(guard);
                        new BackendHttpCodec(responseDecoder).addLast(ch.pipeline());
                        ch.pipeline().addLast(connection);
                    }
                })
                .connect(BackendPool.address(key));
        connect.channel().closeFuture().addListener(f -> closed(key, entry, connection));
        connect.addListener(f -> {
            long elapsed = System.nanoTime() - start;
            if (f.isSuccess()) {
                metrics.connect(GatewayMetrics.ConnectResult.SUCCESS, elapsed);
                callback.onAcquired(connection, false, elapsed);
            } else {
                ConnectOutcome.failed(f.cause(), elapsed, connectTimeoutNanos, metrics, callback);
            }
        });
    }

    @Override
    public void release(BackendConnection connection) {
        Entry entry = entries.get(connection.key());
        if (entry == null || !connection.channel().isActive() || entry.idle.size() >= limits.maxIdlePerBackend()) {
            connection.channel().close();
            return;
        }
        connection.idleSinceNanos = System.nanoTime();
        entry.idle.addFirst(connection);
        idleCount++;
    }

    private void closed(BackendKey key, Entry entry, BackendConnection connection) {
        entry.open--;
        openCount--;
        if (entry.idle.remove(connection)) {
            idleCount--;
        }
        if (entry.open == 0 && entries.get(key) == entry) {
            entries.remove(key);
        }
    }

    private void closeExpired() {
        long now = System.nanoTime();
        List<BackendConnection> expired = new ArrayList<>();
        for (Entry entry : entries.values()) {
            BackendConnection oldest;
            while ((oldest = entry.idle.peekLast()) != null && now - oldest.idleSinceNanos >= idleTimeoutNanos) {
                entry.idle.pollLast();
                idleCount--;
                expired.add(oldest);
            }
        }
        closeAll(expired);
    }

    /** Closes every idle connection; in-use ones close when their exchange ends. */
    void closeIdle() {
        List<BackendConnection> idle = new ArrayList<>();
        for (Entry entry : entries.values()) {
            idleCount -= entry.idle.size();
            idle.addAll(entry.idle);
            entry.idle.clear();
        }
        closeAll(idle);
    }

    /** Closes outside any iteration of {@code entries}: a close runs {@link #closed}, which edits it. */
    private static void closeAll(List<BackendConnection> connections) {
        for (BackendConnection connection : connections) {
            connection.channel().close();
        }
    }

    EventLoop loop() {
        return loop;
    }
}
