package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.H2cClient;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.testing.Eventually;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Smuggling across the protocol change: an HTTP/2 request is relayed to the sandbox as HTTP/1.1,
 * where a CR or LF smuggled inside a header or pseudo-header would end the head early and start
 * a request of the gateway's choosing on a pooled backend connection. HTTP/2 has no such
 * delimiters of its own, so every field is checked before it is written as text. Each attempt
 * here is sent by a client that validates nothing; it must be refused on its stream, the client
 * connection must carry on, and the sandbox must never see the hidden request.
 *
 * <p>The gateway keeps no idle backend connections here, so once the backend has no open
 * connection, everything the gateway ever wrote to it has been read and recorded.
 */
class Http2SmugglingTest {

    private static final String HIDDEN = "\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

    private static final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
    private static TestBackend backend;
    private static GatewayFixture gateway;
    private static String host;
    private H2cClient client;

    @BeforeAll
    static void startGateway() throws Exception {
        backend = TestBackend.http(() -> new InfoHandler("h2-smuggle", seen));
        gateway = GatewayFixture.start(Map.of(
                        "GATEWAY_HTTP2_CLEARTEXT", "true",
                        "GATEWAY_BACKEND_POOL_MAX_IDLE_PER_BACKEND", "0"))
                .register(SandboxRecord.running("target", "127.0.0.1"));
        host = backend.port() + "-target.localhost";
    }

    @AfterAll
    static void stopGateway() {
        gateway.close();
        backend.close();
    }

    @BeforeEach
    void connect() throws Exception {
        seen.clear();
        client = H2cClient.connect(gateway.port());
    }

    @AfterEach
    void disconnect() throws Exception {
        client.close();
    }

    /**
     * What the frame codec already finds malformed is reset with PROTOCOL_ERROR; what only the
     * gateway's own check of the request head catches is answered 400 with the gateway's error.
     */
    static List<Arguments> smugglingAttempts() {
        String reset = "reset " + Http2Error.PROTOCOL_ERROR.code();
        return List.of(
                Arguments.of("CR LF in a header value", reset, edit(h -> h.add("x-note", "a" + HIDDEN))),
                Arguments.of("bare LF in a header value", reset,
                        edit(h -> h.add("x-note", "a\nGET /smuggled HTTP/1.1\n\n"))),
                Arguments.of("bare CR in a header value", reset,
                        edit(h -> h.add("x-note", "a\rGET /smuggled HTTP/1.1\r\r"))),
                Arguments.of("NUL in a header value", reset, edit(h -> h.add("x-note", "a\0b"))),
                Arguments.of("CR LF in a header name", reset, edit(h -> h.add("x-note" + HIDDEN + "x-tail", "b"))),
                Arguments.of("colon in a header name", reset, edit(h -> h.add("x-note: a\r\nx-more", "b"))),
                Arguments.of("space in a header name", reset, edit(h -> h.add("x note", "b"))),
                Arguments.of("CR LF in the path", reset, edit(h -> h.path("/first HTTP/1.1" + HIDDEN + "x"))),
                Arguments.of("CR LF in the method", reset, edit(h -> h.method("GET /first HTTP/1.1" + HIDDEN + "GET"))),
                Arguments.of("CR LF in the authority", reset, edit(h -> h.authority(host + HIDDEN))),
                Arguments.of("transfer-encoding (connection-specific, forbidden in HTTP/2)", reset,
                        edit(h -> h.method("POST").add("transfer-encoding", "chunked"))),
                Arguments.of("content-length list", reset, edit(h -> h.method("POST").add("content-length", "0, 44"))),
                Arguments.of("signed content-length", reset, edit(h -> h.method("POST").add("content-length", "+0"))),
                Arguments.of("space in the path", "400 bad_request", edit(h -> h.path("/first HTTP/1.1"))),
                Arguments.of("absolute URI in the path", "400 bad_request", edit(h -> h.path("http://other.example/first"))),
                Arguments.of("no path (malformed, RFC 9113 section 8.3.1)", reset, edit(h -> h.remove(":path"))),
                Arguments.of("space in the method", "400 bad_request", edit(h -> h.method("GET /first"))),
                Arguments.of("Host differing from the authority", "400 bad_request",
                        edit(h -> h.add("host", "9-other.localhost"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smugglingAttempts")
    void isRefusedOnItsStreamAndNeverReachesTheSandbox(String attempt, String refusal, Consumer<Http2Headers> change)
            throws Exception {
        Http2Headers headers = request("/first");
        change.accept(headers);
        H2cClient.Stream stream = client.open();
        stream.channel().writeAndFlush(new DefaultHttp2HeadersFrame(headers, true));

        assertEquals(refusal, stream.outcome(), attempt);
        assertBackendSawNoHiddenRequest(attempt);

        H2cClient.Stream next = client.open();
        next.channel().writeAndFlush(new DefaultHttp2HeadersFrame(request("/after"), true));
        assertEquals("200", next.outcome(), "the connection carries on after a refused stream");
        assertTrue(client.isActive());
    }

    @ParameterizedTest(name = "content-length {0} with a body of {1}")
    @CsvSource({"3, 'abc\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n'", "100, abc"})
    void aBodyThatDoesNotMatchItsContentLengthIsMalformed(int contentLength, String body) throws Exception {
        Http2Headers headers = request("/upload").method("POST").addInt("content-length", contentLength);
        H2cClient.Stream stream = client.open();
        stream.channel().write(new DefaultHttp2HeadersFrame(headers));
        stream.channel().writeAndFlush(new DefaultHttp2DataFrame(
                Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII), true));

        assertEquals("reset " + Http2Error.PROTOCOL_ERROR.code(), stream.outcome());
        assertBackendSawNoHiddenRequest("content-length " + contentLength);
    }

    @Test
    void theSandboxGetsOneHostOneCookieAndNoneOfTheGatewaysOwnHeaders() throws Exception {
        Http2Headers headers = request("/first?q=1").add("host", host).add("cookie", "a=1").add("cookie", "b=2")
                .add("x-http2-scheme", "https").add("x-kept", "yes");
        H2cClient.Stream stream = client.open();
        stream.channel().writeAndFlush(new DefaultHttp2HeadersFrame(headers, true));

        assertEquals("200", stream.outcome());
        Map<String, String> seenBySandbox = InfoHandler.parse(stream.body().getBytes(StandardCharsets.UTF_8));
        assertEquals("GET", seenBySandbox.get("method"));
        assertEquals("/first?q=1", seenBySandbox.get("uri"));
        assertEquals(host, seenBySandbox.get("header.host"), "one Host, from :authority");
        assertEquals("a=1; b=2", seenBySandbox.get("header.cookie"), "cookie fields joined as HTTP/1.1 needs");
        assertEquals("yes", seenBySandbox.get("header.x-kept"));
        assertFalse(seenBySandbox.keySet().stream().anyMatch(key -> key.startsWith("header.x-http2-")),
                seenBySandbox.toString());
    }

    private static void assertBackendSawNoHiddenRequest(String attempt) {
        Eventually.await("backend connections closed", Duration.ofSeconds(10), () -> backend.openConnections() == 0);
        assertFalse(seen.stream().anyMatch(uri -> uri.contains("smuggled")),
                attempt + ": the sandbox saw " + seen);
    }

    private static Consumer<Http2Headers> edit(Consumer<Http2Headers> change) {
        return change;
    }

    private static Http2Headers request(String path) {
        return new DefaultHttp2Headers(false).method("GET").path(path).scheme("http").authority(host);
    }
}
