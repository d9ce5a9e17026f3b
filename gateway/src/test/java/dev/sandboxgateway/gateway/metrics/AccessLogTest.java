package dev.sandboxgateway.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.LogCapture;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.gateway.testing.WebSocketEchoBackend;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.testing.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The access log's line per request, and the request id it shares with the sandbox and the client. */
class AccessLogTest {

    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private final ObjectMapper json = new ObjectMapper();

    private List<JsonNode> lines(LogCapture log, int count) {
        Eventually.await(count + " access log lines", Duration.ofSeconds(10), () -> log.messages().size() >= count);
        return log.messages().stream().map(line -> {
            try {
                return json.readTree(line);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + line, e);
            }
        }).toList();
    }

    @Test
    void aLineNamesHostProtocolUpstreamUserAgentRequestIdAndTrace() throws Exception {
        try (LogCapture log = LogCapture.accessLog();
             TestBackend backend = TestBackend.http(() -> new InfoHandler("app"));
             GatewayFixture gateway = GatewayFixture.start(Map.of()).register("box")) {
            String host = backend.port() + "-box.localhost";
            RawHttp.Response response;
            try (RawHttp client = new RawHttp(gateway.port())) {
                response = client.exchange("GET /page?token=secret HTTP/1.1\r\nHost: " + host
                        + "\r\nUser-Agent: curl/8.5\r\nX-Request-Id: chosen-by-client\r\ntraceparent: " + TRACEPARENT
                        + "\r\n\r\n");
                assertEquals(200, response.status());
                assertEquals(404, client.exchange(RawHttp.get("80-nobody.localhost", "/")).status());
            }
            String requestId = response.header("x-request-id");
            assertNotEquals("chosen-by-client", requestId, "an untrusted client's id is replaced");
            assertTrue(requestId.matches("[0-9a-f]{32}"), requestId);
            Map<String, String> seenBySandbox = InfoHandler.parse(response.body());
            assertEquals(requestId, seenBySandbox.get("header.x-request-id"), "the sandbox gets the same id");
            assertEquals(TRACEPARENT, seenBySandbox.get("header.traceparent"), "traceparent passes untouched");

            List<JsonNode> lines = lines(log, 2);
            JsonNode relayed = lines.get(0);
            assertEquals(requestId, relayed.path("requestId").asText());
            assertEquals(host, relayed.path("host").asText());
            assertEquals("/page", relayed.path("path").asText(), "no query string: it may carry secrets");
            assertEquals("h1", relayed.path("protocol").asText());
            assertEquals("127.0.0.1:" + backend.port(), relayed.path("upstream").asText());
            assertEquals("curl/8.5", relayed.path("userAgent").asText());
            assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", relayed.path("traceId").asText());
            assertEquals(200, relayed.path("status").asInt());
            JsonNode refused = lines.get(1);
            assertTrue(refused.path("upstream").isNull(), refused.toString());
            assertEquals("sandbox_not_found", refused.path("error").asText());
            assertTrue(refused.path("traceId").isNull() && refused.path("userAgent").isNull(), refused.toString());
            assertTrue(refused.path("requestId").asText().matches("[0-9a-f]{32}"));
        }
    }

    @Test
    void theLoggedHostIsThePublicOneWhenTheRecordRewritesIt() throws Exception {
        try (LogCapture log = LogCapture.accessLog();
             TestBackend backend = TestBackend.http(() -> new InfoHandler("app"));
             GatewayFixture gateway = GatewayFixture.start(Map.of()).register(SandboxRecord.running("dev", "127.0.0.1")
                     .withHostRewrite(Map.of("*", "localhost:${port}")))) {
            String host = backend.port() + "-dev.localhost";
            try (RawHttp client = new RawHttp(gateway.port())) {
                RawHttp.Response response = client.exchange(RawHttp.get(host, "/"));
                assertEquals("localhost:" + backend.port(), InfoHandler.parse(response.body()).get("header.host"),
                        "the sandbox got the rewritten host");
            }
            assertEquals(host, lines(log, 1).get(0).path("host").asText());
        }
    }

    @Test
    void aTrustedProxysRequestIdIsKeptEndToEnd() throws Exception {
        try (TestBackend backend = TestBackend.http(() -> new InfoHandler("app"));
             GatewayFixture gateway = GatewayFixture.start(Map.of("GATEWAY_SECURITY_TRUSTED_PROXIES", "127.0.0.1/32"))
                     .register("box");
             RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.exchange("GET / HTTP/1.1\r\nHost: " + backend.port()
                    + "-box.localhost\r\nX-Request-Id: lb-4711\r\n\r\n");
            assertEquals("lb-4711", response.header("x-request-id"));
            assertEquals("lb-4711", InfoHandler.parse(response.body()).get("header.x-request-id"));
        }
    }

    @Test
    void aWebSocketIsLoggedAsWs() throws Exception {
        try (LogCapture log = LogCapture.accessLog();
             GatewayFixture gateway = GatewayFixture.start(Map.of()).register("box")) {
            TestBackend backend = WebSocketEchoBackend.start(new CompletableFuture<>());
            try (RawHttp client = new RawHttp(gateway.port())) {
                RawHttp.Response upgraded = client.upgradeToWebSocket(backend.port() + "-box.localhost");
                assertEquals(101, upgraded.status());
                assertTrue(upgraded.header("x-request-id").matches("[0-9a-f]{32}"));
                JsonNode line = lines(log, 1).get(0);
                assertEquals("ws", line.path("protocol").asText());
                assertEquals(101, line.path("status").asInt());
                assertEquals(upgraded.header("x-request-id"), line.path("requestId").asText());
            } finally {
                backend.close();
            }
        }
    }
}
