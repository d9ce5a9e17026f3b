package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.H2cClient;
import dev.sandboxgateway.gateway.testing.ScriptedResponder;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A sandbox's HTTP/1.1 response as an HTTP/2 client receives it: field names lower-cased, the
 * fields that framed or managed the HTTP/1.1 connection left out, and the body framed by the stream.
 */
class Http2ResponseHeadTest {

    private static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = GatewayFixture.start(Map.of(
                        "GATEWAY_HTTP2_CLEARTEXT", "true",
                        "GATEWAY_BACKEND_POOL_MAX_IDLE_PER_BACKEND", "0"))
                .register(SandboxRecord.running("target", "127.0.0.1"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void aChunkedResponseArrivesWithLowerCaseNamesAndNoConnectionFields() throws Exception {
        try (Relayed relayed = relay("HTTP/1.1 200 OK\r\nX-Mixed-Case: v\r\nTransfer-Encoding: chunked\r\n"
                + "Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nConnection: keep-alive, X-Private\r\n"
                + "X-Private: only for the next hop\r\n\r\n3\r\nabc\r\n0\r\n\r\n")) {
            assertEquals("200", relayed.head.status().toString());
            assertEquals("v", String.valueOf(relayed.head.get("x-mixed-case")));
            for (String field : new String[] {"transfer-encoding", "keep-alive", "proxy-connection", "connection",
                    "x-private"}) {
                assertNull(relayed.head.get(field), field + " in " + relayed.head);
            }
            assertFalse(relayed.head.names().stream().anyMatch(name -> !name.toString().equals(
                    name.toString().toLowerCase())), relayed.head.toString());
            assertEquals("abc", relayed.body);
        }
    }

    /** A sized response keeps its length; one without a body is a single HEADERS frame ending the stream. */
    static List<Arguments> responsesKeptAsTheyAre() {
        return List.of(
                Arguments.of("HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok", "201",
                        Map.of("content-type", "text/plain", "content-length", "2"), "ok"),
                Arguments.of("HTTP/1.1 204 No Content\r\nX-Done: yes\r\n\r\n", "204", Map.of("x-done", "yes"), ""));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("responsesKeptAsTheyAre")
    void aResponseKeepsItsStatusFieldsAndBody(String answer, String status, Map<String, String> fields, String body)
            throws Exception {
        try (Relayed relayed = relay(answer)) {
            assertEquals(status, relayed.head.status().toString());
            fields.forEach((name, value) -> assertEquals(value, String.valueOf(relayed.head.get(name)), name));
            assertEquals(body, relayed.body);
        }
    }

    /** Sends one GET through the gateway to a sandbox that answers with {@code answer}, and waits for all of it. */
    private static Relayed relay(String answer) throws Exception {
        TestBackend backend = TestBackend.raw(() -> new ScriptedResponder(answer, ScriptedResponder.Then.HANG));
        try (H2cClient client = H2cClient.connect(gateway.port())) {
            H2cClient.Stream stream = client.open();
            Http2Headers request = new DefaultHttp2Headers().method("GET").path("/").scheme("http")
                    .authority(backend.port() + "-target.localhost");
            stream.channel().writeAndFlush(new DefaultHttp2HeadersFrame(request, true));
            String body = stream.body();
            return new Relayed(backend, stream.head(), body);
        } catch (Exception | Error e) {
            backend.close();
            throw e;
        }
    }

    private record Relayed(TestBackend backend, Http2Headers head, String body) implements AutoCloseable {
        @Override
        public void close() {
            backend.close();
        }
    }
}
