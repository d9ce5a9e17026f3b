package dev.sandboxgateway.gateway.backend;

import dev.sandboxgateway.gateway.transport.LazyTimer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to a sandbox port, serving one exchange at a time and otherwise idle in its
 * event loop's pool; or one HTTP/2 stream to a sandbox, serving one exchange. Everything read while no exchange is attached (a sandbox talking out of turn)
 * closes the connection: its framing can no longer be trusted.
 */
public final class BackendConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(BackendConnection.class);

    private final BackendKey key;
    private final ConnectionOwner owner;
    private final long responseTimeoutNanos;
    private Channel channel;
    private LazyTimer responseTimer;
    private @Nullable BackendExchange exchange;
    long idleSinceNanos;

    BackendConnection(BackendKey key, ConnectionOwner owner, long responseTimeoutNanos) {
        this.key = key;
        this.owner = owner;
        this.responseTimeoutNanos = responseTimeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        responseTimer = new LazyTimer(ctx.executor(), this::responseTimedOut);
    }

    public Channel channel() {
        return channel;
    }

    public BackendKey key() {
        return key;
    }

    public void attach(BackendExchange exchange) {
        this.exchange = exchange;
    }

    /** Starts the response timeout: called once the whole request was written. */
    public void awaitResponse() {
        responseTimer.armAfter(responseTimeoutNanos);
    }

    public void responseStarted() {
        responseTimer.disarm();
    }

    /** Returns the connection to its pool after a complete exchange with clean framing. */
    public void release() {
        exchange = null;
        responseTimer.disarm();
        channel.config().setAutoRead(true);
        owner.release(this);
    }

    /** Closes the connection, detached, after an exchange that left its framing in doubt. */
    public void discard() {
        exchange = null;
        responseTimer.stop();
        channel.close();
    }

    /** Detaches and stops timers before the pipeline is handed over to a tunnel. */
    public void detachForTunnel() {
        exchange = null;
        responseTimer.stop();
    }

    private void responseTimedOut() {
        BackendExchange current = exchange;
        if (current != null) {
            current.onResponseTimeout();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        BackendExchange current = exchange;
        if (current != null && msg instanceof HttpObject http) {
            current.onResponse(http);
            return;
        }
        ReferenceCountUtil.release(msg);
        log.debug("closing {} connection: data arrived while no request was in flight", key);
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        BackendExchange current = exchange;
        if (current != null) {
            current.onResponseReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        BackendExchange current = exchange;
        if (current != null) {
            current.onBackendWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        responseTimer.stop();
        BackendExchange current = exchange;
        exchange = null;
        if (current != null) {
            current.onBackendClosed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("backend connection to {} failed", key, cause);
        ctx.close();
    }
}
