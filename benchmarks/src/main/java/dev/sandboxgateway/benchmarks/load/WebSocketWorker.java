package dev.sandboxgateway.benchmarks.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;

/**
 * One WebSocket echo connection: opens the WebSocket with a plain HTTP/1.1 upgrade (so the Host
 * header names the sandbox), then sends binary messages and times each echo, closed or open loop.
 */
final class WebSocketWorker extends ChannelInboundHandlerAdapter {

    private final LoadRun run;
    private final String host;
    private final ArrayDeque<Long> due = new ArrayDeque<>();
    private final ByteBuf payload;
    private Channel channel;
    private boolean open;
    private boolean inFlight;
    private long sentAt;
    private ScheduledFuture<?> ticker;

    WebSocketWorker(LoadRun run, String host, ByteBuf payload) {
        this.run = run;
        this.host = host;
        this.payload = payload;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        String upgrade = "GET " + run.options().path() + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        ctx.writeAndFlush(Unpooled.copiedBuffer(upgrade, StandardCharsets.US_ASCII));
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!open) {
                handshake(ctx, msg);
            } else if (msg instanceof WebSocketFrame) {
                inFlight = false;
                run.recorder().completed(System.nanoTime() - sentAt, 200, payload.readableBytes(), payload.readableBytes());
                if (run.openLoopPeriodNanos() == 0) {
                    due.add(System.nanoTime());
                }
                send();
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void handshake(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse response && response.status().code() != 101) {
            run.recorder().failed();
            ctx.close();
            return;
        }
        if (msg instanceof HttpContent && msg instanceof LastHttpContent) {
            open = true;
            ChannelPipeline pipeline = ctx.pipeline();
            pipeline.addBefore(ctx.name(), "ws-decoder", new WebSocket13FrameDecoder(false, false, 16 << 20));
            pipeline.addBefore(ctx.name(), "ws-encoder", new WebSocket13FrameEncoder(true));
            pipeline.remove(HttpResponseDecoder.class);
            ticker = run.startSending(ctx.executor(), due, () -> inFlight, this::send);
        }
    }

    private void send() {
        if (run.stopped() || due.isEmpty() || !channel.isActive()) {
            return;
        }
        inFlight = true;
        sentAt = due.poll();
        channel.writeAndFlush(new BinaryWebSocketFrame(payload.duplicate()));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (ticker != null) {
            ticker.cancel(false);
        }
        if (inFlight || !open) {
            run.recorder().failed();
        }
        run.connectionEnded();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
