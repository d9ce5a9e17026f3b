package dev.sandboxgateway.gateway.edge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * On a plain listener with {@code http2.cleartext}, tells HTTP/2 with prior knowledge (the
 * connection starts with the client preface {@code PRI * HTTP/2.0}) from HTTP/1.1 by the first
 * bytes, completes the pipeline for it, and leaves. The bytes it looked at are passed on.
 */
final class PriorKnowledgeDetector extends ByteToMessageDecoder {

    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final EdgePipelines pipelines;
    private final long timeoutNanos;
    private ScheduledFuture<?> timeout;

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
        timeout.cancel(false);
        if (http2) {
            pipelines.addHttp2(ctx.pipeline(), false);
        } else {
            pipelines.addHttp1(ctx.pipeline(), false);
        }
        ctx.fireChannelActive();
        ctx.pipeline().remove(this);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (timeout != null) {
            timeout.cancel(false);
        }
        super.channelInactive(ctx);
    }
}
