package dev.sandboxgateway.gateway.testing;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/** Holds every request until {@code release} completes, then answers "done": an in-flight request on demand. */
public final class HoldingHandler extends ChannelInboundHandlerAdapter {

    private final CountDownLatch received;
    private final CompletableFuture<Void> release;

    public HoldingHandler(CountDownLatch received, CompletableFuture<Void> release) {
        this.received = received;
        this.release = release;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            received.countDown();
            release.thenRun(() -> ctx.executor().execute(() -> {
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        ByteBufUtil.writeAscii(ctx.alloc(), "done"));
                HttpUtil.setContentLength(response, 4);
                ctx.writeAndFlush(response);
            }));
        }
        ReferenceCountUtil.release(msg);
    }
}
