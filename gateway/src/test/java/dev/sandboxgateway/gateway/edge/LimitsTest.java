package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.testing.Eventually;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Header count, body size, connection and rate limits, each on its own gateway so they do not interfere. */
class LimitsTest {

    private static TestBackend backend;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.http(() -> new InfoHandler("app"));
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    private static String get(String id, String path) {
        return RawHttp.get(backend.port() + "-" + id + ".localhost", path);
    }

    @Test
    void tooManyHeaderFieldsAre431() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start(Map.of("GATEWAY_SERVER_MAX_HEADER_COUNT", "10"))
                .register("box");
             RawHttp client = new RawHttp(gateway.port())) {
            StringBuilder headers = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                headers.append("X-H").append(i).append(": v\r\n");
            }
            RawHttp.Response response = client.exchange("GET / HTTP/1.1\r\nHost: " + backend.port()
                    + "-box.localhost\r\n" + headers + "\r\n");
            assertEquals(431, response.status());
            assertEquals("request_headers_too_large", response.header("x-gateway-error"));
            assertTrue(response.text().contains("11 header fields; at most 10"), response.text());
            assertTrue(client.closedByPeer());
        }
    }

    @Test
    void bodiesOverTheLimitAre413AndARecordMaySetItsOwnLimit() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start(Map.of("GATEWAY_LIMITS_MAX_REQUEST_BODY_SIZE", "1000"))
                .register("small")
                .register(SandboxRecord.running("large", "127.0.0.1").withMaxRequestBodySize(5000L))) {
            int before = backend.acceptedConnections();
            try (RawHttp client = new RawHttp(gateway.port())) {
                RawHttp.Response response = client.exchange("POST / HTTP/1.1\r\nHost: " + backend.port()
                        + "-small.localhost\r\nContent-Length: 1001\r\n\r\n");
                assertEquals(413, response.status());
                assertEquals("request_body_too_large", response.header("x-gateway-error"));
                assertTrue(client.closedByPeer());
            }
            assertEquals(before, backend.acceptedConnections(), "a declared oversized body is refused before connecting");

            try (RawHttp client = new RawHttp(gateway.port())) {
                client.send("POST / HTTP/1.1\r\nHost: " + backend.port() + "-small.localhost\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n" + ("258\r\n" + "x".repeat(600) + "\r\n").repeat(2)
                        + "0\r\n\r\n");
                RawHttp.Response response = client.readResponse();
                assertEquals(413, response.status(), "a chunked body is counted as it streams");
                assertTrue(client.closedByPeer());
            }

            try (RawHttp client = new RawHttp(gateway.port())) {
                RawHttp.Response response = client.exchange("POST / HTTP/1.1\r\nHost: " + backend.port()
                        + "-large.localhost\r\nContent-Length: 4000\r\n\r\n" + "y".repeat(4000));
                assertEquals(200, response.status());
                assertEquals("4000", InfoHandler.parse(response.body()).get("body-bytes"));
            }
        }
    }

    @Test
    void connectionsBeyondTheTotalLimitGet503() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start(Map.of("GATEWAY_LIMITS_MAX_CONNECTIONS", "3"))
                .register("box")) {
            List<RawHttp> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    RawHttp client = new RawHttp(gateway.port());
                    held.add(client);
                    assertEquals(200, client.exchange(get("box", "/")).status());
                }
                try (RawHttp extra = new RawHttp(gateway.port())) {
                    RawHttp.Response response = extra.exchange(get("box", "/"));
                    assertEquals(503, response.status());
                    assertEquals("too_many_connections", response.header("x-gateway-error"));
                    assertTrue(extra.closedByPeer());
                }
                held.remove(0).close();
                Eventually.await("a connection slot frees", Duration.ofSeconds(5),
                        () -> gateway.gateway().activeConnections() < 3);
                try (RawHttp again = new RawHttp(gateway.port())) {
                    assertEquals(200, again.exchange(get("box", "/")).status());
                }
            } finally {
                for (RawHttp client : held) {
                    client.close();
                }
            }
        }
    }

    @Test
    @SuppressWarnings("try") // the first connection is closed inside its block to free its place
    void oneSandboxCannotTakeEveryConnection() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start(Map.of("GATEWAY_LIMITS_MAX_CONNECTIONS_PER_SANDBOX", "2"))
                .register("busy").register("quiet")) {
            try (RawHttp first = new RawHttp(gateway.port()); RawHttp second = new RawHttp(gateway.port());
                 RawHttp third = new RawHttp(gateway.port()); RawHttp other = new RawHttp(gateway.port())) {
                assertEquals(200, first.exchange(get("busy", "/")).status());
                assertEquals(200, second.exchange(get("busy", "/")).status());
                RawHttp.Response refused = third.exchange(get("busy", "/"));
                assertEquals(503, refused.status());
                assertEquals("too_many_connections", refused.header("x-gateway-error"));
                assertEquals(200, other.exchange(get("quiet", "/")).status());
                assertEquals(200, first.exchange(get("busy", "/again")).status(), "counted connections keep working");
                first.close();
                Eventually.await("a closed connection's place is given to a new one", Duration.ofSeconds(10), () -> {
                    try (RawHttp next = new RawHttp(gateway.port())) {
                        return next.exchange(get("busy", "/")).status() == 200;
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }

    @Test
    void requestRatePerClientIs429WithRetryAfter() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start(Map.of(
                "GATEWAY_LIMITS_PER_CLIENT_RATE_REQUESTS_PER_SECOND", "0.01",
                "GATEWAY_LIMITS_PER_CLIENT_RATE_BURST", "2")).register("box");
             RawHttp client = new RawHttp(gateway.port())) {
            assertEquals(200, client.exchange(get("box", "/")).status());
            assertEquals(200, client.exchange(get("box", "/")).status());
            RawHttp.Response limited = client.exchange(get("box", "/"));
            assertEquals(429, limited.status());
            assertEquals("rate_limited", limited.header("x-gateway-error"));
            long retryAfter = Long.parseLong(limited.header("retry-after"));
            assertTrue(retryAfter >= 1 && retryAfter <= 100, "Retry-After " + retryAfter);
            assertEquals(429, client.exchange(get("box", "/")).status(), "the connection stays usable");
        }
    }

    @Test
    void requestRatePerSandboxLeavesOtherSandboxesAlone() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start(Map.of(
                "GATEWAY_LIMITS_PER_SANDBOX_RATE_REQUESTS_PER_SECOND", "0.01",
                "GATEWAY_LIMITS_PER_SANDBOX_RATE_BURST", "1")).register("hot").register("cold");
             RawHttp client = new RawHttp(gateway.port())) {
            assertEquals(200, client.exchange(get("hot", "/")).status());
            assertEquals(429, client.exchange(get("hot", "/")).status());
            assertEquals(200, client.exchange(get("cold", "/")).status());
        }
    }

    @Test
    void aBodyThatStopsArrivingIs408AndFreesTheSandboxConnection() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start(Map.of("GATEWAY_TIMEOUTS_REQUEST_BODY_IDLE", "300ms"))
                .register("box");
             RawHttp client = new RawHttp(gateway.port())) {
            long start = System.nanoTime();
            client.send("POST / HTTP/1.1\r\nHost: " + backend.port() + "-box.localhost\r\nContent-Length: 100\r\n\r\nabc");
            RawHttp.Response response = client.readResponse();
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(408, response.status());
            assertEquals("request_body_timeout", response.header("x-gateway-error"));
            assertTrue(waitedMillis >= 250, "answered after " + waitedMillis + " ms");
            assertTrue(client.closedByPeer());
        }
    }

    @Test
    void aSlowButSteadyBodyIsNotCutOff() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start(Map.of("GATEWAY_TIMEOUTS_REQUEST_BODY_IDLE", "400ms"))
                .register("box");
             RawHttp client = new RawHttp(gateway.port())) {
            client.send("POST / HTTP/1.1\r\nHost: " + backend.port() + "-box.localhost\r\nContent-Length: 8\r\n\r\n");
            // The client paces itself: the gap between bytes is what is being tested.
            for (int i = 0; i < 8; i++) {
                long next = System.nanoTime() + 100_000_000L;
                while (System.nanoTime() < next) {
                    LockSupport.parkNanos(next - System.nanoTime());
                }
                client.send("x");
            }
            RawHttp.Response response = client.readResponse();
            assertEquals(200, response.status(), "800 ms in all, but never 400 ms without a byte");
            assertEquals("8", InfoHandler.parse(response.body()).get("body-bytes"));
        }
    }
}
