package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.TestBackend;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Client timeouts on HTTP/2 streams, driven frame by frame over h2c with prior knowledge: a stream
 * whose request body stops arriving is answered 408 and reset while the connection and its other
 * streams carry on, and a body that arrives slowly but steadily is not cut off.
 */
class Http2StreamTimeoutTest {

    private TestBackend backend;
    private GatewayFixture gateway;
    private EventLoopGroup clientGroup;
    private Channel connection;

    @BeforeEach
    void start() throws Exception {
        backend = TestBackend.http(() -> new InfoHandler("app"));
        gateway = GatewayFixture.start(Map.of(
                "GATEWAY_HTTP2_CLEARTEXT", "true",
                "GATEWAY_TIMEOUTS_REQUEST_BODY_IDLE", "300ms")).register("box");
        clientGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        connection = new Bootstrap().group(clientGroup).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                })
                .connect("127.0.0.1", gateway.port()).sync().channel();
    }

    @AfterEach
    void stop() throws Exception {
        connection.close().sync();
        clientGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        gateway.close();
        backend.close();
    }

    @Test
    void aStreamWhoseBodyStopsArrivingIs408AndTheConnectionLivesOn() throws Exception {
        Stream stalled = open();
        long start = System.nanoTime();
        stalled.channel.write(new DefaultHttp2HeadersFrame(request("POST", "/upload").addInt("content-length", 100)));
        stalled.channel.writeAndFlush(new DefaultHttp2DataFrame(
                Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII), false));
        Http2Headers answer = stalled.responseHead();
        long waitedMillis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("408", answer.status().toString());
        assertEquals("request_body_timeout", String.valueOf(answer.get("x-gateway-error")));
        assertTrue(waitedMillis >= 250, "answered after " + waitedMillis + " ms");
        assertEquals(Http2Error.CANCEL.code(), stalled.reset.get(10, TimeUnit.SECONDS),
                "the client is told to stop sending the rest of the body");

        Stream next = open();
        next.channel.writeAndFlush(new DefaultHttp2HeadersFrame(request("GET", "/after"), true));
        assertEquals("200", next.responseHead().status().toString());
        assertTrue(connection.isActive(), "one stalled stream does not cost the connection");
    }

    @Test
    void aSlowButSteadyStreamBodyIsNotCutOff() throws Exception {
        Stream slow = open();
        slow.channel.write(new DefaultHttp2HeadersFrame(request("POST", "/upload").addInt("content-length", 4)));
        for (int i = 0; i < 4; i++) {
            slow.channel.writeAndFlush(new DefaultHttp2DataFrame(
                    Unpooled.copiedBuffer("x", StandardCharsets.US_ASCII), i == 3));
            if (i < 3) {
                slow.awaitNothingFor(150);
            }
        }
        assertEquals("200", slow.responseHead().status().toString(),
                "450 ms in all, but never 300 ms without a byte");
        assertTrue(connection.isActive());
    }

    private Http2Headers request(String method, String path) {
        return new DefaultHttp2Headers().method(method).path(path).scheme("http")
                .authority(backend.port() + "-box.localhost");
    }

    private Stream open() throws Exception {
        Stream stream = new Stream();
        stream.channel = new Http2StreamChannelBootstrap(connection).handler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object frame) {
                if (frame instanceof Http2HeadersFrame headers) {
                    stream.heads.add(headers.headers());
                }
                ReferenceCountUtil.release(frame);
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                // Not flow-controlled, so the multiplexer hands resets over as events rather than reads.
                if (event instanceof Http2ResetFrame reset) {
                    stream.reset.complete(reset.errorCode());
                }
            }
        }).open().get(10, TimeUnit.SECONDS);
        return stream;
    }

    private static final class Stream {
        private final BlockingQueue<Http2Headers> heads = new LinkedBlockingQueue<>();
        private final CompletableFuture<Long> reset = new CompletableFuture<>();
        private Http2StreamChannel channel;

        Http2Headers responseHead() throws InterruptedException {
            Http2Headers head = heads.poll(10, TimeUnit.SECONDS);
            assertNotNull(head, "no response head within 10 s");
            return head;
        }

        /** Paces the client: a response arriving meanwhile is a failure of the test, not a wait to skip. */
        void awaitNothingFor(long millis) throws InterruptedException {
            Http2Headers early = heads.poll(millis, TimeUnit.MILLISECONDS);
            assertNull(early, "answered before the body was complete");
        }
    }
}
