package dev.sandboxgateway.gateway.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.ScriptedResponder;
import dev.sandboxgateway.gateway.testing.TestBackend;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** Pool limits: idle timeout, idle cap, and the cap on open connections per sandbox port. */
class BackendPoolTest {

    private static boolean eventually(LongSupplier value, long expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (value.getAsLong() != expected && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return value.getAsLong() == expected;
    }

    @Test
    void idleConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
        try (TestBackend backend = TestBackend.http(() -> new InfoHandler("web"));
             GatewayFixture gateway = GatewayFixture.start(Map.of("GATEWAY_BACKEND_POOL_IDLE_TIMEOUT", "200ms"))
                     .register("box");
             RawHttp client = new RawHttp(gateway.port())) {
            assertEquals(200, client.exchange(RawHttp.get(backend.port() + "-box.localhost", "/")).status());
            assertEquals(1, backend.openConnections());
            assertTrue(eventually(backend::openConnections, 0), "the idle pooled connection was never closed");
            assertEquals(200, client.exchange(RawHttp.get(backend.port() + "-box.localhost", "/")).status(),
                    "a new connection replaces the expired one");
        }
    }

    @Test
    void idleConnectionsBeyondTheCapAreClosed() throws Exception {
        try (TestBackend backend = TestBackend.http(() -> new InfoHandler("web"));
             GatewayFixture gateway = GatewayFixture.start(Map.of("GATEWAY_BACKEND_POOL_MAX_IDLE_PER_BACKEND", "1",
                     "GATEWAY_SERVER_IO_THREADS", "1")).register("box");
             RawHttp first = new RawHttp(gateway.port());
             RawHttp second = new RawHttp(gateway.port())) {
            String host = backend.port() + "-box.localhost";
            // Two requests in flight at once need two backend connections...
            first.send("POST / HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 1\r\n\r\n");
            second.send("POST / HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 1\r\n\r\n");
            assertTrue(eventually(backend::acceptedConnections, 2));
            first.send("a");
            second.send("b");
            assertEquals(200, first.readResponse().status());
            assertEquals(200, second.readResponse().status());
            // ...but only one may stay idle.
            assertTrue(eventually(backend::openConnections, 1));
        }
    }

    @Test
    void openConnectionsPerSandboxPortAreCapped() throws Exception {
        try (TestBackend hanging = TestBackend.raw(() -> new ScriptedResponder("", ScriptedResponder.Then.HANG));
             GatewayFixture gateway = GatewayFixture.start(Map.of("GATEWAY_BACKEND_POOL_MAX_CONNECTIONS_PER_BACKEND", "1",
                     "GATEWAY_SERVER_IO_THREADS", "1")).register("box");
             RawHttp first = new RawHttp(gateway.port());
             RawHttp second = new RawHttp(gateway.port())) {
            first.send(RawHttp.get(hanging.port() + "-box.localhost", "/"));
            assertTrue(eventually(hanging::acceptedConnections, 1));
            RawHttp.Response refused = second.exchange(RawHttp.get(hanging.port() + "-box.localhost", "/"));
            assertEquals(503, refused.status());
            assertEquals("backend_connection_limit", refused.header("x-gateway-error"));
        }
    }
}
