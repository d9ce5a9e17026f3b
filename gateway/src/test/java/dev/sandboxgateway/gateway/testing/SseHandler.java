package dev.sandboxgateway.gateway.testing;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;

/** A server-sent-events endpoint: sends "first" at once, and "second" only when the test says so. */
public final class SseHandler extends ChannelInboundHandlerAdapter {

    private final CompletableFuture<Void> sendSecond;

    public SseHandler(CompletableFuture<Void> sendSecond) {
        this.sendSecond = sendSecond;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
            HttpUtil.setTransferEncodingChunked(response, true);
            ctx.write(response);
            ctx.writeAndFlush(event(ctx, "first"));
            sendSecond.thenRun(() -> ctx.executor().execute(() -> {
                ctx.write(event(ctx, "second"));
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            }));
        }
        ReferenceCountUtil.release(msg);
    }

    private static DefaultHttpContent event(ChannelHandlerContext ctx, String data) {
        return new DefaultHttpContent(ByteBufUtil.writeUtf8(ctx.alloc(), "data: " + data + "\n\n"));
    }
}
