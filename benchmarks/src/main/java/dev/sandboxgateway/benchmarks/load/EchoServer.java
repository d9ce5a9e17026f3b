package dev.sandboxgateway.benchmarks.load;

import dev.sandboxgateway.gateway.transport.NettyTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * The second backend of the side-by-side benchmark: {@code java -cp loadgen.jar
 * dev.sandboxgateway.benchmarks.load.EchoServer PORT}. Echoes every WebSocket frame on any path,
 * and answers a POST, after reading its whole body, with "ok" (nginx cannot read a body it does
 * not proxy, and closing early would count against the gateway in front).
 */
public final class EchoServer {

    private EchoServer() {
    }

    /** Reads POST bodies to the end without keeping them, then answers 200 "ok". */
    private static final class UploadSink extends ChannelInboundHandlerAdapter {

        private boolean uploading;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request && request.method() == HttpMethod.POST) {
                uploading = true;
            }
            if (!uploading) {
                ctx.fireChannelRead(msg);
                return;
            }
            ReferenceCountUtil.release(msg);
            if (msg instanceof LastHttpContent) {
                uploading = false;
                FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.wrappedBuffer(OK));
                ok.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, OK.length);
                ctx.writeAndFlush(ok);
            }
        }
    }

    private static final byte[] OK = "ok\n".getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws InterruptedException {
        int port = Integer.parseInt(args[0]);
        NettyTransport transport = LoadRun.loadTransport();
        EventLoopGroup group = transport.newGroup(1, "echo");
        WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/").checkStartsWith(true).maxFramePayloadLength(16 << 20).build();
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelType())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new UploadSink(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler(config),
                                new SimpleChannelInboundHandler<WebSocketFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
                                        ctx.writeAndFlush(frame.retain());
                                    }
                                });
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
        System.err.println("echo server on 127.0.0.1:" + port + " (" + transport.kind() + ")");
        server.closeFuture().sync();
    }
}
