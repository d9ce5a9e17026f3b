package dev.sandboxgateway.gateway.edge;

import dev.sandboxgateway.gateway.relay.ConnectionEvent;
import dev.sandboxgateway.gateway.request.ClientAddress;
import dev.sandboxgateway.gateway.transport.LazyTimer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client HTTP/2 connection, last in its pipeline after the frame codec and the stream
 * multiplexer: counts the connection against the gateway's limits, hands its streams the peer
 * address, closes the connection after the keep-alive idle timeout without streams, and on drain
 * sends GOAWAY and lets open streams finish (the codec's graceful close).
 */
final class Http2ClientConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(Http2ClientConnection.class);

    private final EdgeContext edge;
    private final int connectionWindow;
    private ChannelHandlerContext ctx;
    private LazyTimer idle;
    private @Nullable ClientAddress peer;
    /** Set in channelActive, before any stream opens. */
    @SuppressWarnings("NullAway.Init")
    private String localPort;
    private boolean overConnectionLimit;
    private int streams;

    /** @param connectionWindow bytes all streams of the connection may have in flight towards the gateway */
    Http2ClientConnection(EdgeContext edge, int connectionWindow) {
        this.edge = edge;
        this.connectionWindow = connectionWindow;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.idle = new LazyTimer(ctx.executor(), this::idleExpired);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        localPort = Integer.toString(((InetSocketAddress) channel.localAddress()).getPort());
        int open = edge.connections().add(channel);
        channel.closeFuture().addListener(f -> {
            idle.stop();
            edge.connections().remove(channel);
        });
        overConnectionLimit = edge.limits().overConnectionLimit(open);
        // The frame codec has widened the connection window already, to twice the stream window's growth.
        Http2Connection http2 = ((Http2FrameCodec) ctx.pipeline().get(EdgePipelines.HTTP2_CODEC)).connection();
        int window = http2.local().flowController().initialWindowSize(http2.connectionStream());
        if (connectionWindow > window) {
            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(connectionWindow - window));
        }
        idle.armAfter(edge.timeouts().keepAliveIdle().toNanos());
        ctx.fireChannelActive();
    }

    ClientAddress peer() {
        if (peer == null) {
            peer = ProxyProtocolHandler.clientOf(ctx.channel());
        }
        return peer;
    }

    String localPort() {
        return localPort;
    }

    /** Whether the connection was accepted beyond {@code limits.maxConnections}: its streams only get 503s. */
    boolean overConnectionLimit() {
        return overConnectionLimit;
    }

    void streamOpened() {
        if (streams++ == 0) {
            idle.disarm();
        }
    }

    void streamClosed() {
        if (--streams == 0) {
            idle.armAfter(edge.timeouts().keepAliveIdle().toNanos());
        }
    }

    private void idleExpired() {
        if (streams == 0) {
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == ConnectionEvent.DRAIN) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            // A connection error: the frame codec sends GOAWAY with its code and then closes.
            log.debug("HTTP/2 client connection {} failed", ctx.channel(), cause);
            return;
        }
        if (cause instanceof IOException || cause instanceof DecoderException) {
            log.debug("HTTP/2 client connection {} failed", ctx.channel(), cause);
        } else {
            log.warn("HTTP/2 client connection {} failed", ctx.channel(), cause);
        }
        ctx.close();
    }
}
