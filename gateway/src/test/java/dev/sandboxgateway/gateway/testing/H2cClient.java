package dev.sandboxgateway.gateway.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/2 client speaking h2c with prior knowledge frame by frame, validating nothing it sends,
 * so tests can put on the wire what a real client library would refuse to. Every wait is bounded.
 */
public final class H2cClient implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel connection;

    private H2cClient(int port) throws InterruptedException {
        connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().validateHeaders(false).build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
    }

    public static H2cClient connect(int port) throws InterruptedException {
        return new H2cClient(port);
    }

    public boolean isActive() {
        return connection.isActive();
    }

    public Stream open() throws Exception {
        Stream stream = new Stream();
        stream.channel = new Http2StreamChannelBootstrap(connection).handler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object frame) {
                if (frame instanceof Http2HeadersFrame head) {
                    stream.heads.add(head.headers());
                    stream.ended(head.isEndStream());
                } else if (frame instanceof Http2DataFrame data) {
                    stream.body.append(data.content().toString(StandardCharsets.UTF_8));
                    stream.ended(data.isEndStream());
                }
                ReferenceCountUtil.release(frame);
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                // Not flow-controlled, so the multiplexer hands resets over as events rather than reads.
                if (event instanceof Http2ResetFrame reset) {
                    stream.reset.complete(reset.errorCode());
                    stream.ended(true);
                }
            }
        }).open().get(10, TimeUnit.SECONDS);
        return stream;
    }

    @Override
    public void close() {
        connection.close().syncUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One stream: what the gateway answered on it, as it arrives. */
    public static final class Stream {
        private final BlockingQueue<Http2Headers> heads = new LinkedBlockingQueue<>();
        private final CompletableFuture<Long> reset = new CompletableFuture<>();
        private final CompletableFuture<Void> end = new CompletableFuture<>();
        private final StringBuffer body = new StringBuffer();
        private Http2StreamChannel channel;

        public Http2StreamChannel channel() {
            return channel;
        }

        /** The next HEADERS frame the gateway sent on this stream. */
        public Http2Headers head() throws InterruptedException {
            Http2Headers head = heads.poll(10, TimeUnit.SECONDS);
            assertNotNull(head, "no response head within 10 s");
            return head;
        }

        /** The next HEADERS frame if one arrives within {@code millis}, else {@code null}. */
        public Http2Headers headWithin(long millis) throws InterruptedException {
            return heads.poll(millis, TimeUnit.MILLISECONDS);
        }

        /** The error code of the RST_STREAM the gateway sent. */
        public long resetCode() throws Exception {
            return reset.get(10, TimeUnit.SECONDS);
        }

        /**
         * How the stream ended: the status of its response, with the gateway's error code when
         * it gave one ({@code "400 bad_request"}), or {@code "reset N"} with the RST_STREAM error code.
         */
        public String outcome() throws Exception {
            end.get(10, TimeUnit.SECONDS);
            Http2Headers head = heads.peek();
            if (head == null) {
                return "reset " + reset.getNow(null);
            }
            CharSequence error = head.get("x-gateway-error");
            return head.status() + (error == null ? "" : " " + error);
        }

        /** The response body, once the stream has ended. */
        public String body() throws Exception {
            end.get(10, TimeUnit.SECONDS);
            return body.toString();
        }

        private void ended(boolean endStream) {
            if (endStream) {
                end.complete(null);
            }
        }
    }
}
