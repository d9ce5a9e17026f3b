package dev.sandboxgateway.gateway.edge;

import dev.sandboxgateway.gateway.metrics.GatewayMetrics;
import dev.sandboxgateway.gateway.relay.ClientSide;
import dev.sandboxgateway.gateway.relay.ConnectionEvent;
import dev.sandboxgateway.gateway.relay.Exchange;
import dev.sandboxgateway.gateway.relay.TunnelHandler;
import dev.sandboxgateway.gateway.relay.TunnelPings;
import dev.sandboxgateway.gateway.request.ClientAddress;
import dev.sandboxgateway.gateway.request.ConnectionFacts;
import dev.sandboxgateway.gateway.transport.HttpCodecHandlers;
import dev.sandboxgateway.gateway.transport.LazyTimer;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of one HTTP/1.1 connection, or of one HTTP/2 stream: turns decoded requests into
 * {@link Exchange}s one at a time, holds pipelined requests until the exchange before them has
 * answered (responses must go out in request order), and reads from the client only while the
 * current exchange can take more. On an HTTP/2 stream, not reading is what holds back the stream's
 * flow-control window, so the client stops sending.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter implements ClientSide {

    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);

    private final EdgeContext edge;
    private final ClientTimeouts timeouts;
    private final boolean secure;
    private final @Nullable Http2ClientConnection http2;
    private ChannelHandlerContext ctx;
    private @Nullable Exchange current;
    private @Nullable ArrayDeque<Object> queued;
    private boolean dispatchingQueue;
    private boolean draining;
    private boolean closing;
    /** Set in channelActive, before any request. */
    @SuppressWarnings("NullAway.Init")
    private String localPort;
    private boolean overConnectionLimit;
    /** Made on the first request, once a PROXY protocol header (if any) has named the client. */
    private @Nullable ConnectionFacts facts;
    /** Which sandbox this connection counts for; made on its first request. */
    private SandboxConnections.@Nullable Member sandboxMembership;
    private boolean tunnel;
    private boolean closed;

    /**
     * @param secure whether the client connection is TLS
     * @param http2  the HTTP/2 connection this stream belongs to, or {@code null} on an HTTP/1.1 connection
     */
    ClientHandler(EdgeContext edge, ClientTimeouts timeouts, boolean secure, @Nullable Http2ClientConnection http2) {
        this.edge = edge;
        this.timeouts = timeouts;
        this.secure = secure;
        this.http2 = http2;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        if (http2 != null) {
            timeouts.started(channel);
            // The connection is counted, limited and drained by its Http2ClientConnection; a stream only
            // counts for its sandbox.
            localPort = http2.localPort();
            overConnectionLimit = http2.overConnectionLimit();
            http2.streamOpened();
            channel.closeFuture().addListener(f -> {
                http2.streamClosed();
                closed(channel);
            });
            ctx.fireChannelActive();
            return;
        }
        localPort = Integer.toString(((InetSocketAddress) channel.localAddress()).getPort());
        int open = edge.connections().add(channel);
        // A close listener rather than channelInactive: after a WebSocket upgrade this handler has
        // left the pipeline, and the tunnel must still be accounted for when it closes.
        channel.closeFuture().addListener(f -> closed(channel));
        overConnectionLimit = edge.limits().overConnectionLimit(open);
        ctx.fireChannelActive();
    }

    private void closed(Channel channel) {
        closed = true;
        if (http2 == null) {
            edge.connections().remove(channel);
        }
        if (tunnel) {
            edge.connections().tunnelClosed();
        }
        if (sandboxMembership != null) {
            sandboxMembership.leave();
        }
    }

    private ConnectionFacts facts() {
        if (facts == null) {
            ClientAddress peer = http2 != null ? http2.peer() : ProxyProtocolHandler.clientOf(ctx.channel());
            facts = new ConnectionFacts(peer, secure, localPort, http2 != null, overConnectionLimit);
        }
        return facts;
    }

    /**
     * Counts this connection for the sandbox its request addresses, moving it from the sandbox of
     * an earlier request if that was another one.
     */
    @Override
    public boolean take(String sandboxId, SandboxRecord record) {
        // A lookup that completes after the client left: nothing to count, and no close left to uncount it.
        if (closed) {
            return true;
        }
        if (sandboxMembership == null) {
            sandboxMembership = edge.sandboxConnections().member(ctx.channel());
        }
        return sandboxMembership.address(sandboxId, record);
    }

    @Override
    public boolean draining() {
        return draining;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (http2 != null) {
            // On HTTP/1.1 the decoder reports reads as bytes arrive; a stream has no decoder of its own.
            timeouts.readArrived();
        }
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if ((queued != null && !queued.isEmpty()) || (current != null && current.requestComplete())) {
            if (queued == null) {
                queued = new ArrayDeque<>(4);
            }
            queued.add(msg);
            updateReading();
            return;
        }
        dispatch(msg);
    }

    private void dispatch(Object msg) {
        if (msg instanceof HttpRequest request) {
            timeouts.requestHeadReceived();
            Exchange exchange = new Exchange(this, ctx, edge.requestPath(), facts(), request);
            current = exchange;
            exchange.start();
            if (request.decoderResult().isFailure()) {
                // The decoder's stand-in for a request it refused may hold a buffer; the exchange answered it.
                ReferenceCountUtil.release(msg);
            }
        } else if (msg instanceof HttpContent content && current != null) {
            current.onRequestContent(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
        timeouts.bodyPending(current != null && current.awaitsRequestBody());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (http2 != null) {
            timeouts.readsDone();
        }
        if (current != null) {
            current.flushToBackend();
        }
    }

    /** Reads from the client only while no pipelined request waits and the exchange can take more body. */
    @Override
    public void updateReading() {
        boolean read = (queued == null || queued.isEmpty()) && (current == null || current.acceptsRequestContent());
        ctx.channel().config().setAutoRead(read);
    }

    /** The exchange wrote its last byte; start on the next pipelined request, if any. */
    @Override
    public void exchangeFinished(Exchange exchange, boolean close) {
        if (current != exchange) {
            return;
        }
        current = null;
        if (close || draining) {
            closing = true;
            releaseQueued();
            if (draining && !close) {
                ctx.close();
            }
            return;
        }
        timeouts.exchangeFinished();
        if (dispatchingQueue) {
            return;
        }
        dispatchingQueue = true;
        try {
            while (queued != null && !queued.isEmpty() && !closing
                    && (current == null || !current.requestComplete())) {
                dispatch(queued.poll());
            }
        } finally {
            dispatchingQueue = false;
        }
        if (current != null) {
            // Queued messages are not followed by a channelReadComplete, which is where flushes happen.
            current.flushToBackend();
        }
        if (!closing) {
            updateReading();
        }
    }

    /**
     * The sandbox accepted a WebSocket upgrade: both connections become a byte tunnel. The 101
     * response is already encoded, so the HTTP codecs can go; frames are never decoded.
     */
    @Override
    public void switchToTunnel(Channel backend) {
        current = null;
        Channel client = ctx.channel();
        ChannelPipeline clientPipeline = client.pipeline();
        ChannelPipeline backendPipeline = backend.pipeline();
        timeouts.stop();
        // The backend connection came from this loop's pool: one timer serves both channels.
        LazyTimer idle = new LazyTimer(client.eventLoop(), client::close);
        long idleNanos = edge.timeouts().webSocketIdle().toNanos();
        GatewayMetrics metrics = edge.requestPath().metrics();
        long pingNanos = edge.live().webSocketPing().toNanos();
        TunnelHandler[] toClient = new TunnelHandler[1];
        TunnelPings pings = pingNanos == 0 ? null
                : new TunnelPings(new LazyTimer(client.eventLoop(), () -> toClient[0].ping()), pingNanos);
        clientPipeline.replace(this, "tunnel", new TunnelHandler(backend, idle, idleNanos,
                received -> metrics.clientBytes(received, 0), true, pings));
        HttpCodecHandlers.remove(clientPipeline);
        toClient[0] = new TunnelHandler(client, idle, idleNanos, sent -> metrics.clientBytes(0, sent), false, pings);
        backendPipeline.replace(backendPipeline.last(), "tunnel", toClient[0]);
        HttpCodecHandlers.remove(backendPipeline);
        if (!closed) {
            if (pings != null) {
                pings.active();
            }
            idle.armAfter(idleNanos);
            tunnel = true;
            edge.connections().tunnelOpened();
        }
        client.flush();
        client.config().setAutoRead(true);
        backend.config().setAutoRead(true);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null) {
            current.onClientWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == ClientTimeouts.BODY_TIMEOUT) {
            if (current != null) {
                current.onRequestBodyTimeout();
            }
            return;
        }
        if (event instanceof ConnectionEvent) {
            draining = true;
            if (current == null) {
                ctx.close();
            } else if (event == ConnectionEvent.SANDBOX_CHANGED) {
                // The response in flight may finish, within the grace period; nothing more is served here.
                ctx.executor().schedule(() -> ctx.close(), edge.sandboxChangeGrace().toNanos(), TimeUnit.NANOSECONDS);
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        timeouts.stop();
        if (current != null) {
            current.onClientClosed();
            current = null;
        }
        releaseQueued();
    }

    private void releaseQueued() {
        if (queued != null) {
            Object msg;
            while ((msg = queued.poll()) != null) {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    /**
     * Whether a failure is the client's doing: a reset, or bytes that do not parse. Routine, so logged
     * at debug; anything else is a fault of ours and a warning.
     */
    static boolean isClientFailure(Throwable cause) {
        return cause instanceof IOException || cause instanceof DecoderException;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2Exception malformed) {
            // The frame codec found the client's stream malformed (a body longer than its content-length,
            // say): the stream is reset with the codec's reason, not the CANCEL a plain close would send.
            log.debug("client stream {} is malformed", ctx.channel(), cause);
            ctx.write(new DefaultHttp2ResetFrame(malformed.error()));
        } else if (isClientFailure(cause)) {
            log.debug("client connection {} failed", ctx.channel(), cause);
        } else {
            log.warn("client connection {} failed", ctx.channel(), cause);
        }
        ctx.close();
    }
}
