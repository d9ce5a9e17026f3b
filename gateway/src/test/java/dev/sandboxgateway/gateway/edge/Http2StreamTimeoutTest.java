package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.H2cClient;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.TestBackend;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;
import java.util.Map;
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
    private H2cClient client;

    @BeforeEach
    void start() throws Exception {
        backend = TestBackend.http(() -> new InfoHandler("app"));
        gateway = GatewayFixture.start(Map.of(
                "GATEWAY_HTTP2_CLEARTEXT", "true",
                "GATEWAY_TIMEOUTS_REQUEST_BODY_IDLE", "300ms")).register("box");
        client = H2cClient.connect(gateway.port());
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        gateway.close();
        backend.close();
    }

    @Test
    void aStreamWhoseBodyStopsArrivingIs408AndTheConnectionLivesOn() throws Exception {
        H2cClient.Stream stalled = client.open();
        long start = System.nanoTime();
        stalled.channel().write(new DefaultHttp2HeadersFrame(request("POST", "/upload").addInt("content-length", 100)));
        stalled.channel().writeAndFlush(new DefaultHttp2DataFrame(
                Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII), false));
        Http2Headers answer = stalled.head();
        long waitedMillis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("408", answer.status().toString());
        assertEquals("request_body_timeout", String.valueOf(answer.get("x-gateway-error")));
        assertTrue(waitedMillis >= 250, "answered after " + waitedMillis + " ms");
        assertEquals(Http2Error.CANCEL.code(), stalled.resetCode(),
                "the client is told to stop sending the rest of the body");

        H2cClient.Stream next = client.open();
        next.channel().writeAndFlush(new DefaultHttp2HeadersFrame(request("GET", "/after"), true));
        assertEquals("200", next.head().status().toString());
        assertTrue(client.isActive(), "one stalled stream does not cost the connection");
    }

    @Test
    void aSlowButSteadyStreamBodyIsNotCutOff() throws Exception {
        H2cClient.Stream slow = client.open();
        slow.channel().write(new DefaultHttp2HeadersFrame(request("POST", "/upload").addInt("content-length", 4)));
        for (int i = 0; i < 4; i++) {
            slow.channel().writeAndFlush(new DefaultHttp2DataFrame(
                    Unpooled.copiedBuffer("x", StandardCharsets.US_ASCII), i == 3));
            if (i < 3) {
                // Paces the client: a response arriving meanwhile is a failure of the test, not a wait to skip.
                assertNull(slow.headWithin(150), "answered before the body was complete");
            }
        }
        assertEquals("200", slow.head().status().toString(),
                "450 ms in all, but never 300 ms without a byte");
        assertTrue(client.isActive());
    }

    private Http2Headers request(String method, String path) {
        return new DefaultHttp2Headers().method(method).path(path).scheme("http")
                .authority(backend.port() + "-box.localhost");
    }
}
