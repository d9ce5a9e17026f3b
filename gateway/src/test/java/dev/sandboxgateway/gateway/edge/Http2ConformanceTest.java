package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.HoldingHandler;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.LogCapture;
import dev.sandboxgateway.gateway.testing.RawH2;
import dev.sandboxgateway.gateway.testing.RawH2.Frame;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The HTTP/2 error policy of docs/tls-and-http2.md, frame by frame (RFC 9113): a malformed request
 * is a stream error and the connection carries on; a frame that breaks the connection's state
 * (a stream id going backwards, frames after a stream ended, a window past 2^31-1) is a connection
 * error, a GOAWAY with the matching code. The TLS listener builds the same pipeline after ALPN,
 * so h2c stands for both here; {@code TlsTest} covers what ALPN decides.
 */
class Http2ConformanceTest {

    private static final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
    private static final CompletableFuture<Void> releaseHeld = new CompletableFuture<>();
    private static TestBackend backend;
    private static TestBackend holding;
    private static GatewayFixture gateway;
    private static String host;
    /** A sandbox port that answers nothing until the tests end: its streams stay open. */
    private static String heldHost;

    @BeforeAll
    static void startGateway() throws Exception {
        backend = TestBackend.http(() -> new InfoHandler("h2-conformance", seen));
        gateway = GatewayFixture.start(Map.of("GATEWAY_HTTP2_CLEARTEXT", "true"))
                .register(SandboxRecord.running("target", "127.0.0.1"));
        host = backend.port() + "-target.localhost";
        holding = TestBackend.http(() -> new HoldingHandler(new CountDownLatch(1), releaseHeld));
        heldHost = holding.port() + "-target.localhost";
    }

    @AfterAll
    static void stopGateway() {
        releaseHeld.complete(null);
        gateway.close();
        backend.close();
        holding.close();
    }

    private static long code(Http2Error error) {
        return error.code();
    }

    /** Asserts the connection still serves a request on {@code streamId}. */
    private static void stillServes(RawH2 h2, int streamId) throws Exception {
        h2.headers(streamId, RawH2.get(host, "/after"), true);
        Frame answer = h2.answer(streamId);
        assertNotNull(answer, "the gateway closed the connection");
        assertEquals(RawH2.HEADERS, answer.type(), "the next request was not answered");
        assertEquals("200", answer.headers().status().toString());
    }

    /** Asserts {@code frame} is a RST_STREAM or GOAWAY ({@code type}) with {@code error}. */
    private static void assertError(Frame frame, int type, Http2Error error) {
        assertNotNull(frame, "the gateway closed the connection without a frame");
        assertEquals(type, frame.type(), "frame type");
        assertEquals(code(error), frame.errorCode(), "error code");
    }

    @ParameterizedTest
    @EnumSource(value = Http2Headers.PseudoHeaderName.class, names = {"METHOD", "SCHEME", "PATH"})
    void requestWithoutARequiredPseudoHeaderIsResetLoggedAndNeverForwarded(Http2Headers.PseudoHeaderName missing)
            throws Exception {
        seen.clear();
        try (LogCapture debug = LogCapture.debugOf(EdgeHttp2Codec.class); RawH2 h2 = RawH2.connect(gateway.port())) {
            Http2Headers headers = RawH2.get(host, "/malformed");
            headers.remove(missing.value());
            h2.headers(1, headers, true);
            assertError(h2.answer(1), RawH2.RST_STREAM, Http2Error.PROTOCOL_ERROR);
            assertTrue(debug.messages().stream().anyMatch(line -> line.contains("stream 1")
                            && line.contains(missing.value().toString())), debug.messages().toString());
            stillServes(h2, 3);
        }
        assertEquals(List.of("/after"), List.copyOf(seen), "what reached the sandbox");
    }

    @Test
    void secondHeadersOnHalfClosedStreamIsStreamClosed() throws Exception {
        try (RawH2 h2 = RawH2.connect(gateway.port())) {
            // The sandbox holds the request, so the stream is still half-closed (remote) when the second HEADERS arrives.
            h2.headers(1, RawH2.get(heldHost, "/"), true);
            h2.headers(1, RawH2.get(heldHost, "/"), true);
            assertError(h2.await(RawH2.RST_STREAM, 1), RawH2.RST_STREAM, Http2Error.STREAM_CLOSED);
        }
    }

    @Test
    void headersOnStreamThatEndedIsConnectionErrorStreamClosed() throws Exception {
        try (RawH2 h2 = RawH2.connect(gateway.port())) {
            h2.headers(1, RawH2.get(host, "/"), true);
            Frame answer = h2.answer(1);
            assertEquals(RawH2.HEADERS, answer.type());
            h2.await(RawH2.DATA, 1);
            h2.headers(1, RawH2.get(host, "/again"), true);
            assertError(h2.await(RawH2.GOAWAY, 0), RawH2.GOAWAY, Http2Error.STREAM_CLOSED);
            assertTrue(h2.closedByGateway());
        }
    }

    @Test
    void headersAfterTheClientResetItIsOnlyAStreamError() throws Exception {
        try (RawH2 h2 = RawH2.connect(gateway.port())) {
            h2.headers(1, RawH2.get(heldHost, "/"), true);
            h2.rstStream(1, Http2Error.CANCEL.code());
            h2.headers(1, RawH2.get(host, "/again"), true);
            assertError(h2.await(RawH2.RST_STREAM, 1), RawH2.RST_STREAM, Http2Error.STREAM_CLOSED);
            stillServes(h2, 3);
        }
    }

    @Test
    void streamIdGoingBackwardsIsConnectionErrorProtocolError() throws Exception {
        try (RawH2 h2 = RawH2.connect(gateway.port())) {
            h2.headers(5, RawH2.get(host, "/"), true);
            h2.headers(3, RawH2.get(host, "/"), true);
            assertError(h2.await(RawH2.GOAWAY, 0), RawH2.GOAWAY, Http2Error.PROTOCOL_ERROR);
        }
    }

    @Test
    void connectionWindowOverflowIsFlowControlError() throws Exception {
        try (RawH2 h2 = RawH2.connect(gateway.port())) {
            h2.windowUpdate(0, Integer.MAX_VALUE);
            assertError(h2.await(RawH2.GOAWAY, 0), RawH2.GOAWAY, Http2Error.FLOW_CONTROL_ERROR);
        }
    }

    @Test
    void connectionWindowIsFourTimesTheStreamWindow() throws Exception {
        try (RawH2 h2 = RawH2.connect(gateway.port())) {
            // The first request's answer comes after every frame the connection opened with.
            h2.headers(1, RawH2.get(host, "/"), true);
            long window = 65_535;
            for (Frame frame = h2.next(); frame != null; frame = h2.next()) {
                if (frame.type() == RawH2.WINDOW_UPDATE && frame.streamId() == 0) {
                    window += frame.windowIncrement();
                }
                if (frame.type() == RawH2.HEADERS) {
                    break;
                }
            }
            assertEquals(4L * 262_144, window);
        }
    }

    @Test
    void tooManyHeaderFieldsGet431WithTheGatewaysErrorOnTheStream() throws Exception {
        seen.clear();
        try (RawH2 h2 = RawH2.connect(gateway.port())) {
            Http2Headers headers = RawH2.get(host, "/many-fields");
            for (int i = 0; i < 150; i++) {
                headers.add("x-field-" + i, "v");
            }
            h2.headers(1, headers, true);
            Frame answer = h2.answer(1);
            assertEquals(RawH2.HEADERS, answer.type());
            assertEquals("431", answer.headers().status().toString());
            assertEquals("request_headers_too_large", String.valueOf(answer.headers().get("x-gateway-error")));
            stillServes(h2, 3);
        }
        assertTrue(seen.stream().noneMatch(request -> request.contains("/many-fields")), seen.toString());
    }

    @Test
    void headerBlockOverMaxHeaderSizeGets431WithTheGatewaysErrorAndABody() throws Exception {
        try (RawH2 h2 = RawH2.connect(gateway.port())) {
            Http2Headers headers = RawH2.get(host, "/big");
            headers.add("x-big", "a".repeat(17_000));
            h2.headers(1, headers, true);
            Frame answer = h2.answer(1);
            assertEquals(RawH2.HEADERS, answer.type());
            assertEquals("431", answer.headers().status().toString());
            assertEquals("request_headers_too_large", String.valueOf(answer.headers().get("x-gateway-error")));
            Frame body = h2.await(RawH2.DATA, 1);
            assertNotNull(body);
            assertTrue(new String(body.payload(), StandardCharsets.UTF_8).contains("request_headers_too_large"),
                    new String(body.payload(), StandardCharsets.UTF_8));
            stillServes(h2, 3);
        }
    }

    @Test
    void brokenPrefaceGetsGoAwayProtocolError() throws Exception {
        // The HTTP/2 preface's first line, then something else: an HTTP/2 client, not an HTTP/1.1 request.
        byte[] opening = "PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (RawH2 h2 = RawH2.connectSending(gateway.port(), opening)) {
            assertError(h2.await(RawH2.GOAWAY, 0), RawH2.GOAWAY, Http2Error.PROTOCOL_ERROR);
            assertTrue(h2.closedByGateway());
        }
    }

    @Test
    void http11RequestWithMethodPriIsStillHttp11() throws Exception {
        // Only the preface's whole first line makes a connection HTTP/2: this is an HTTP/1.1 request.
        try (RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response response = http.exchange("PRI / HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            assertEquals("h2-conformance", response.header("x-backend"));
        }
    }
}
