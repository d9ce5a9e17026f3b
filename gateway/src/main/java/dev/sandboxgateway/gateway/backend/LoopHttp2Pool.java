package dev.sandboxgateway.gateway.backend;

import dev.sandboxgateway.config.GatewayConfig;
import dev.sandboxgateway.gateway.metrics.GatewayMetrics;
import dev.sandboxgateway.routing.policy.GatewayError;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The h2c connections of one event loop, touched only from that loop. A connection takes new
 * streams while the sandbox's MAX_CONCURRENT_STREAMS allows and it has not sent GOAWAY; beyond
 * that another connection is opened, up to {@code maxConnectionsPerBackend}. Connections without
 * streams close after the idle timeout.
 */
final class LoopHttp2Pool implements ConnectionOwner {

    private static final Logger log = LoggerFactory.getLogger(LoopHttp2Pool.class);

    /** Per-stream receive window; what a slow client lets a sandbox buffer in the gateway per stream. */
    private static final int STREAM_WINDOW = 256 * 1024;
    /** Receive window of a whole connection, shared by its streams. */
    private static final int CONNECTION_WINDOW = 1024 * 1024;

    /** Sandbox-initiated streams (server push) are refused in our SETTINGS; any that appear anyway are closed. */
    private static final ChannelHandler REFUSE_PUSH = new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel ch) {
            ch.close();
        }
    };

    /** One h2c connection. */
    private static final class Session {
        final BackendKey key;
        final Channel channel;
        final Http2FrameCodec codec;
        final ChannelFuture connected;
        final long startNanos = System.nanoTime();
        int streams;
        long idleSinceNanos = System.nanoTime();

        Session(BackendKey key, ChannelFuture connected, Http2FrameCodec codec) {
            this.key = key;
            this.channel = connected.channel();
            this.codec = codec;
            this.connected = connected;
        }

        boolean takesStreams() {
            return (!connected.isDone() || channel.isActive())
                    && !codec.connection().goAwayReceived() && codec.connection().local().canOpenStream();
        }
    }

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final GatewayListenerGuard guard;
    private final GatewayConfig.Pool limits;
    private final long connectTimeoutNanos;
    private final long responseTimeoutNanos;
    private final long idleTimeoutNanos;
    private final GatewayMetrics metrics;
    private final Map<BackendKey, List<Session>> sessions = new HashMap<>();
    private int openCount;

    LoopHttp2Pool(EventLoop loop, Bootstrap template, GatewayListenerGuard guard, GatewayConfig.Backend settings,
                  GatewayMetrics metrics) {
        this.loop = loop;
        this.guard = guard;
        this.limits = settings.pool();
        this.connectTimeoutNanos = settings.connectTimeout().toNanos();
        this.responseTimeoutNanos = settings.responseTimeout().toNanos();
        this.idleTimeoutNanos = limits.idleTimeout().toNanos();
        this.metrics = metrics;
        this.bootstrap = template.clone(loop);
        BackendPool.scheduleIdleSweep(loop, limits, this::closeExpired);
    }

    void acquire(BackendKey key, AcquireCallback callback) {
        List<Session> open = sessions.computeIfAbsent(key, k -> new ArrayList<>(1));
        for (Session session : open) {
            if (session.takesStreams()) {
                openStream(session, true, callback);
                return;
            }
        }
        if (open.size() >= limits.maxConnectionsPerBackend()) {
            callback.onAcquireFailed(GatewayError.BACKEND_POOL_EXHAUSTED,
                    open.size() + " HTTP/2 connections to this sandbox port are already full");
            return;
        }
        openStream(connect(key, open), false, callback);
    }

    private Session connect(BackendKey key, List<Session> open) {
        Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
                .initialSettings(Http2Settings.defaultSettings().pushEnabled(false).initialWindowSize(STREAM_WINDOW))
                .build();
        ChannelFuture connect = bootstrap.clone()
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(guard);
                        ch.pipeline().addLast("h2", codec);
                        ch.pipeline().addLast("h2-streams", new Http2MultiplexHandler(REFUSE_PUSH));
                        ch.pipeline().addLast("errors", new ChannelInboundHandlerAdapter() {
                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                log.debug("HTTP/2 connection to {} failed", key, cause);
                                ctx.close();
                            }
                        });
                    }
                })
                .connect(BackendPool.address(key));
        Session session = new Session(key, connect, codec);
        open.add(session);
        openCount++;
        connect.channel().closeFuture().addListener(f -> closed(session));
        connect.addListener(f -> {
            long elapsed = System.nanoTime() - session.startNanos;
            if (f.isSuccess()) {
                metrics.connect(GatewayMetrics.ConnectResult.SUCCESS, elapsed);
                connect.channel().writeAndFlush(new DefaultHttp2WindowUpdateFrame(
                        CONNECTION_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE));
            } else {
                ConnectOutcome.record(f.cause(), elapsed, metrics);
            }
        });
        return session;
    }

    private void openStream(Session session, boolean reused, AcquireCallback callback) {
        session.streams++;
        if (!session.connected.isDone()) {
            session.connected.addListener(f -> {
                if (f.isSuccess()) {
                    startStream(session, false, System.nanoTime() - session.startNanos, callback);
                } else {
                    session.streams--;
                    ConnectOutcome.tell(f.cause(), connectTimeoutNanos, callback);
                }
            });
            return;
        }
        startStream(session, reused, 0, callback);
    }

    private void startStream(Session session, boolean reused, long connectNanos, AcquireCallback callback) {
        BackendConnection stream = new BackendConnection(session.key, this, responseTimeoutNanos);
        new Http2StreamChannelBootstrap(session.channel)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                        ch.pipeline().addLast("h2-http", BackendHttp2StreamCodec.INSTANCE);
                        ch.pipeline().addLast(stream);
                    }
                })
                .open()
                .addListener(f -> {
                    if (f.isSuccess()) {
                        ((Channel) f.getNow()).closeFuture().addListener(c -> streamClosed(session));
                        callback.onAcquired(stream, reused, connectNanos);
                    } else {
                        streamClosed(session);
                        callback.onAcquireFailed(GatewayError.BACKEND_CLOSED,
                                "no HTTP/2 stream could be opened to it: " + f.cause());
                    }
                });
    }

    private void streamClosed(Session session) {
        if (--session.streams == 0) {
            session.idleSinceNanos = System.nanoTime();
        }
    }

    /** A stream is used for one exchange only; the connection it ran on stays for the next. */
    @Override
    public void release(BackendConnection connection) {
        connection.channel().close();
    }

    private void closed(Session session) {
        openCount--;
        List<Session> open = sessions.get(session.key);
        if (open != null && open.remove(session) && open.isEmpty()) {
            sessions.remove(session.key);
        }
    }

    private void closeExpired() {
        long now = System.nanoTime();
        closeWhere(s -> now - s.idleSinceNanos >= idleTimeoutNanos);
    }

    void closeIdle() {
        closeWhere(s -> true);
    }

    private void closeWhere(java.util.function.Predicate<Session> expired) {
        List<Channel> idle = new ArrayList<>();
        for (List<Session> open : sessions.values()) {
            for (Session session : open) {
                if (session.streams == 0 && session.connected.isDone() && expired.test(session)) {
                    idle.add(session.channel);
                }
            }
        }
        // Closed outside the iteration: a close runs closed(), which edits the map.
        idle.forEach(Channel::close);
    }

    int openCount() {
        return openCount;
    }

    EventLoop loop() {
        return loop;
    }
}
