package dev.sandboxgateway.gateway.testing;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.concurrent.CountDownLatch;
import java.util.function.LongConsumer;

/**
 * Serves {@code GET /bytes?size=N&seed=S[&chunked=true]}: N bytes of {@link PatternBody}, written
 * only while the connection is writable, as a well-behaved server does. {@link #blocked} counts
 * down when a write had to wait for the peer: proof that the peer applied backpressure.
 */
public final class DownloadHandler extends ChannelInboundHandlerAdapter {

    private static final int PIECE = 64 * 1024;

    private final CountDownLatch blocked;
    private final LongConsumer progress;
    private long size;
    private long seed;
    private long sent;
    private boolean active;

    /**
     * @param blocked  counted down when a write had to wait for the peer
     * @param progress told the body bytes handed to the connection so far, after each write
     */
    public DownloadHandler(CountDownLatch blocked, LongConsumer progress) {
        this.blocked = blocked;
        this.progress = progress;
    }

    /** A progress callback that counts {@code latch} down once the sandbox has handed over more than {@code bytes}. */
    public static LongConsumer past(long bytes, CountDownLatch latch) {
        return sent -> {
            if (sent > bytes) {
                latch.countDown();
            }
        };
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            QueryStringDecoder query = new QueryStringDecoder(request.uri());
            size = Long.parseLong(query.parameters().get("size").get(0));
            seed = query.parameters().containsKey("seed") ? Long.parseLong(query.parameters().get("seed").get(0)) : 1;
            boolean chunked = query.parameters().containsKey("chunked");
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
            if (chunked) {
                HttpUtil.setTransferEncodingChunked(response, true);
            } else {
                HttpUtil.setContentLength(response, size);
            }
            ctx.write(response);
            sent = 0;
            active = true;
        }
        if (msg instanceof HttpContent content) {
            content.release();
            if (content instanceof LastHttpContent && active) {
                writeMore(ctx);
            }
        }
    }

    private void writeMore(ChannelHandlerContext ctx) {
        byte[] piece = new byte[PIECE];
        while (active && ctx.channel().isWritable()) {
            int n = (int) Math.min(PIECE, size - sent);
            if (n == 0) {
                active = false;
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                return;
            }
            PatternBody.fill(seed, sent, piece, n);
            ByteBuf buffer = ctx.alloc().buffer(n).writeBytes(piece, 0, n);
            sent += n;
            progress.accept(sent);
            ctx.writeAndFlush(new DefaultHttpContent(buffer)).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        }
        if (active) {
            blocked.countDown();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && active) {
            writeMore(ctx);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
