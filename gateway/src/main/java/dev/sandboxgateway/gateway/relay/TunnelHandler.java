package dev.sandboxgateway.gateway.relay;

import dev.sandboxgateway.gateway.transport.LazyTimer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One direction of a WebSocket tunnel: bytes read here are written to the peer unchanged.
 * Reading stops while the peer cannot take more and resumes when it drains, so a slow reader on
 * either end holds back the other instead of filling memory. Closing either side closes the
 * other once what was already read has been flushed to it.
 *
 * <p>Both directions share one idle deadline, pushed back after every read batch on either side:
 * everything written to one side was first read from the other, so a tunnel with no reads for the
 * idle time carried nothing either way. Netty's {@code IdleStateHandler} would learn the same from
 * a listener on every write, a promise and a callback per relayed message.
 */
public final class TunnelHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(TunnelHandler.class);

    private final Channel peer;
    private final LazyTimer idle;
    private final long idleNanos;
    private final SendSizeLimit toPeer = new SendSizeLimit();
    private final LongConsumer relayed;
    /** Bytes read since the last read completed, handed to {@code relayed} then: one count per batch. */
    private long unreported;

    /**
     * @param idle    shared with the other direction's handler; runs on both channels' event loop
     * @param relayed told how many bytes went to the peer, once per batch of reads
     */
    public TunnelHandler(Channel peer, LazyTimer idle, long idleNanos, LongConsumer relayed) {
        this.peer = peer;
        this.idle = idle;
        this.idleNanos = idleNanos;
        this.relayed = relayed;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            unreported += buf.readableBytes();
            toPeer.write(peer, buf, buf.readableBytes());
        } else {
            peer.write(msg, peer.voidPromise());
        }
        if (!peer.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        toPeer.flush(peer);
        if (unreported > 0) {
            relayed.accept(unreported);
            unreported = 0;
        }
        idle.armAfter(idleNanos);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // This side drained: the peer may read again.
        peer.config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        idle.stop();
        closeAfterFlush(peer);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ConnectionEvent) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("WebSocket tunnel {} failed", ctx.channel(), cause);
        ctx.close();
    }

    private static void closeAfterFlush(Channel channel) {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
