package dev.sandboxgateway.gateway.edge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a plain listener with {@code http2.cleartext}, tells HTTP/2 with prior knowledge (the
 * connection starts with the client preface {@code PRI * HTTP/2.0}) from HTTP/1.1 by the first
 * bytes, completes the pipeline for it, and leaves. The bytes it looked at are passed on. A
 * connection that starts with the preface's first line but not the rest is an HTTP/2 client with
 * a broken preface (RFC 9113 section 3.4): it gets GOAWAY PROTOCOL_ERROR, as on the TLS listener.
 */
final class PriorKnowledgeDetector extends ByteToMessageDecoder {

    private static final Logger log = LoggerFactory.getLogger(PriorKnowledgeDetector.class);

    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
    /** The length of the preface's first line, {@code PRI * HTTP/2.0} and its CRLF: only an HTTP/2 client sends it. */
    private static final int PREFACE_LINE = 16;

    private final EdgePipelines pipelines;
    private final long timeoutNanos;
    private @Nullable ScheduledFuture<?> timeout;

    /** @param timeoutNanos time a new connection gets to send enough bytes to tell */
    PriorKnowledgeDetector(EdgePipelines pipelines, long timeoutNanos) {
        this.pipelines = pipelines;
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        timeout = ctx.executor().schedule(() -> ctx.close(), timeoutNanos, TimeUnit.NANOSECONDS);
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int compared = Math.min(in.readableBytes(), PREFACE.readableBytes());
        boolean http2 = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), compared);
        if (http2 && compared < PREFACE.readableBytes()) {
            return;
        }
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (!http2 && startsWithPrefaceLine(in)) {
            // An HTTP/2 client whose preface is broken; as HTTP/1.1 it would be a request for version 2.0.
            log.debug("client connection {} sent a broken HTTP/2 connection preface", ctx.channel());
            in.skipBytes(in.readableBytes());
            ByteBuf reason = ByteBufUtil.writeAscii(ctx.alloc(), "invalid connection preface");
            new DefaultHttp2FrameWriter().writeGoAway(ctx, 0, Http2Error.PROTOCOL_ERROR.code(), reason, ctx.newPromise())
                    .addListener(ChannelFutureListener.CLOSE);
            ctx.flush();
            return;
        }
        if (http2) {
            pipelines.addHttp2(ctx.pipeline(), false);
        } else {
            pipelines.addHttp1(ctx.pipeline(), false);
        }
        ctx.fireChannelActive();
        ctx.pipeline().remove(this);
    }

    private static boolean startsWithPrefaceLine(ByteBuf in) {
        return in.readableBytes() >= PREFACE_LINE
                && ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), PREFACE_LINE);
    }

    /**
     * Until the protocol is known nothing after this handler can take a failure, so it ends here. A
     * client that resets before its first bytes, or whose PROXY protocol header does not parse, is
     * routine; anything else is a fault of ours.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (ClientHandler.isClientFailure(cause)) {
            log.debug("client connection {} failed before its protocol was known", ctx.channel(), cause);
        } else {
            log.warn("client connection {} failed before its protocol was known", ctx.channel(), cause);
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (timeout != null) {
            timeout.cancel(false);
        }
        super.channelInactive(ctx);
    }
}
