package dev.sandboxgateway.gateway.relay;

import dev.sandboxgateway.gateway.transport.LazyTimer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One direction of a WebSocket tunnel: bytes read here are written to the peer unchanged. Frame
 * boundaries are followed from the headers ({@link FrameBoundaries}) so that, when the connection
 * must end, the gateway's own close frame goes between two frames, never inside one.
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
    /** How long peers have to answer the gateway's close frames before their connections are closed. */
    static final long CLOSE_GRACE_MILLIS = 1000;
    /** What the gateway's pings carry, so they can be told apart in a capture. */
    private static final byte[] PING_PAYLOAD = "sandbox-gateway".getBytes(StandardCharsets.US_ASCII);

    private final Channel peer;
    private final LazyTimer idle;
    private final long idleNanos;
    private final SendSizeLimit toPeer = new SendSizeLimit();
    private final LongConsumer relayed;
    /** Whether this handler reads the client (and writes to the sandbox), or the other way round. */
    private final boolean readsClient;
    /** The frames flowing from this channel to the peer, so a close can go between two of them. */
    private final FrameBoundaries frames = new FrameBoundaries();
    /** Bytes read since the last read completed, handed to {@code relayed} then: one count per batch. */
    private long unreported;
    /** A close frame for the peer, waiting for the frame in flight to end. */
    private @Nullable ByteBuf pendingClose;
    /** Once the gateway's close went to the peer, nothing more may follow it: what arrives is dropped. */
    private boolean closeSent;
    /** The gateway's pings on this tunnel, shared by both sides, or {@code null} when it sends none. */
    private final @Nullable TunnelPings pings;
    /** Inside a pong frame of the client's that is being taken out of the stream. */
    private boolean droppingPong;

    /**
     * @param idle        shared with the other direction's handler; runs on both channels' event loop
     * @param relayed     told how many bytes went to the peer, once per batch of reads
     * @param readsClient whether this is the client's side of the tunnel (its peer is the sandbox)
     * @param pings       the gateway's pings, shared with the other side, or {@code null} for none
     */
    public TunnelHandler(Channel peer, LazyTimer idle, long idleNanos, LongConsumer relayed, boolean readsClient,
                         @Nullable TunnelPings pings) {
        this.peer = peer;
        this.idle = idle;
        this.idleNanos = idleNanos;
        this.relayed = relayed;
        this.readsClient = readsClient;
        this.pings = pings;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            peer.write(msg, peer.voidPromise());
            return;
        }
        if (closeSent) {
            buf.release();
            return;
        }
        unreported += buf.readableBytes();
        if (pendingClose == null && readsClient && pings != null && (droppingPong || pings.expectsPong())) {
            relayWithoutPongs(ctx, buf, pings);
            return;
        }
        if (pendingClose == null) {
            frames.pass(buf);
            relay(ctx, buf);
            return;
        }
        int boundary = frames.atBoundary() ? buf.readerIndex() : frames.passToBoundary(buf);
        if (boundary < 0) {
            relay(ctx, buf);
            return;
        }
        if (boundary > buf.readerIndex()) {
            relay(ctx, buf.retainedSlice(buf.readerIndex(), boundary - buf.readerIndex()));
        }
        buf.release();
        sendClose();
    }

    /**
     * Relays what the client sent, less the pongs that answer the gateway's pings: frame by frame
     * while pongs are owed, cutting out each pong (opcode 0xA) from its first byte to its end, even
     * when it spans reads. A client's unsolicited pong in that window is taken too, which RFC 6455
     * allows (no answer to a pong is expected).
     */
    private void relayWithoutPongs(ChannelHandlerContext ctx, ByteBuf buf, TunnelPings owed) {
        int end = buf.writerIndex();
        int index = buf.readerIndex();
        int keepFrom = index;
        while (index < end) {
            if (!droppingPong && owed.expectsPong() && frames.atBoundary() && (buf.getByte(index) & 0x0f) == 0x0a) {
                droppingPong = true;
                if (index > keepFrom) {
                    relay(ctx, buf.retainedSlice(keepFrom, index - keepFrom));
                }
            }
            int frameEnd = frames.passToBoundary(buf.slice(index, end - index));
            int next = frameEnd < 0 ? end : index + frameEnd;
            if (droppingPong) {
                keepFrom = next;
                if (frameEnd >= 0) {
                    droppingPong = false;
                    owed.ponged();
                }
            }
            index = next;
        }
        if (end > keepFrom) {
            relay(ctx, buf.retainedSlice(keepFrom, end - keepFrom));
        }
        buf.release();
    }

    /**
     * Pings the client, from the sandbox's side of the tunnel (it writes to the client), when no frame
     * of the sandbox's is under way; else the next quiet interval will. Runs when the tunnel was quiet
     * for {@code webSocket.pingInterval}.
     */
    public void ping() {
        if (pings == null || readsClient || closeSent || pendingClose != null || !peer.isActive()) {
            return;
        }
        if (frames.atBoundary()) {
            byte[] payload = PING_PAYLOAD;
            ByteBuf ping = peer.alloc().buffer(2 + payload.length).writeByte(0x89).writeByte(payload.length)
                    .writeBytes(payload);
            peer.writeAndFlush(ping, peer.voidPromise());
            pings.sent();
        }
        pings.active();
    }

    private void relay(ChannelHandlerContext ctx, ByteBuf buf) {
        toPeer.write(peer, buf, buf.readableBytes());
        if (!peer.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    /**
     * Sends the peer {@code close} between two frames: now if none is in flight, else as soon as the
     * one in flight ends. Nothing from this side reaches the peer after it.
     */
    private void closeAtBoundary(ByteBuf close) {
        if (closeSent || pendingClose != null) {
            close.release();
            return;
        }
        pendingClose = close;
        if (frames.atBoundary()) {
            sendClose();
        }
    }

    private void sendClose() {
        ByteBuf close = pendingClose;
        pendingClose = null;
        closeSent = true;
        if (close != null) {
            toPeer.flush(peer);
            peer.writeAndFlush(close, peer.voidPromise());
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
        if (pings != null) {
            pings.active();
        }
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
        if (pings != null) {
            pings.stop();
        }
        if (pendingClose != null) {
            pendingClose.release();
            pendingClose = null;
        }
        closeAfterFlush(peer);
    }

    /**
     * The connection must end (the gateway drains, or the sandbox changed): each side gets a close
     * frame at a frame boundary, so clients see why and can reconnect at once instead of seeing an
     * abnormal 1006. Draining tells the client 1012 (service restart: another gateway serves it);
     * a changed sandbox tells it 1001 with the reason. The sandbox is told 1001. The connections
     * close once the peers answer, or after {@link #CLOSE_GRACE_MILLIS} at the latest.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ConnectionEvent ending && readsClient) {
            boolean draining = ending == ConnectionEvent.DRAIN;
            closeAtBoundary(CloseFrames.toSandbox(ctx.alloc(), CloseFrames.GOING_AWAY,
                    draining ? "gateway restarting" : "client leaving"));
            peer.pipeline().fireUserEventTriggered(new CloseClient(draining ? CloseFrames.SERVICE_RESTART
                    : CloseFrames.GOING_AWAY, draining ? "gateway restarting, reconnect"
                    : "sandbox removed, stopped or moved"));
            ctx.executor().schedule(() -> {
                closeAfterFlush(ctx.channel());
                closeAfterFlush(peer);
            }, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        if (event instanceof CloseClient close && !readsClient) {
            closeAtBoundary(CloseFrames.toClient(ctx.alloc(), close.code(), close.reason()));
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    /** Asks the sandbox's side of a tunnel to send the client a close frame. */
    private record CloseClient(int code, String reason) {
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
