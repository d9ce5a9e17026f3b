package dev.sandboxgateway.gateway.testing;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A WebSocket echo server built on Netty's protocol handler: echoes text and binary messages
 * whole, closes with 1000 "bye" when it receives the text "close-please", and reports the status
 * code of a close the client starts.
 */
public final class WebSocketEchoBackend {

    private WebSocketEchoBackend() {
    }

    public static TestBackend start(CompletableFuture<Integer> clientCloseCode) throws InterruptedException {
        return startOn(0, clientCloseCode, new LinkedBlockingQueue<>());
    }

    /** Also adds each whole text message it receives to {@code received}. */
    public static TestBackend start(CompletableFuture<Integer> clientCloseCode, Queue<String> received)
            throws InterruptedException {
        return startOn(0, clientCloseCode, received);
    }

    /** On loopback {@code port}; 0 picks a free one. */
    public static TestBackend startOn(int port, CompletableFuture<Integer> clientCloseCode) throws InterruptedException {
        return startOn(port, clientCloseCode, new LinkedBlockingQueue<>());
    }

    private static TestBackend startOn(int port, CompletableFuture<Integer> clientCloseCode, Queue<String> received)
            throws InterruptedException {
        WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/")
                .checkStartsWith(true)
                .maxFramePayloadLength(16 * 1024 * 1024)
                .handleCloseFrames(false)
                .build();
        return TestBackend.httpOn(port, () -> new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpObjectAggregator(65536));
                ch.pipeline().addLast(new WebSocketServerProtocolHandler(config));
                ch.pipeline().addLast(new WebSocketFrameAggregator(16 * 1024 * 1024));
                ch.pipeline().addLast(new SimpleChannelInboundHandler<WebSocketFrame>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
                        if (frame instanceof CloseWebSocketFrame close) {
                            clientCloseCode.complete(close.statusCode());
                            ctx.writeAndFlush(close.retain()).addListener(ChannelFutureListener.CLOSE);
                        } else if (frame instanceof TextWebSocketFrame text && text.text().equals("close-please")) {
                            ctx.writeAndFlush(new CloseWebSocketFrame(1000, "bye")).addListener(ChannelFutureListener.CLOSE);
                        } else if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
                            if (frame instanceof TextWebSocketFrame text) {
                                received.add(text.text());
                            }
                            ctx.writeAndFlush(frame.retain());
                        }
                    }
                });
            }
        });
    }
}
