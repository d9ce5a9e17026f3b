package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.gateway.testing.WebSocketEchoBackend;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code timeouts.webSocketIdle}: a tunnel is closed after that long without traffic either way, and only then. */
class WebSocketIdleTest {

    private static final long IDLE_MILLIS = 600;

    private TestBackend echo;
    private GatewayFixture gateway;

    @BeforeEach
    void start() throws Exception {
        echo = WebSocketEchoBackend.start(new CompletableFuture<>());
        gateway = GatewayFixture.start(Map.of("GATEWAY_TIMEOUTS_WEB_SOCKET_IDLE", IDLE_MILLIS + "ms")).register("box");
    }

    @AfterEach
    void stop() {
        gateway.close();
        echo.close();
    }

    @Test
    void aQuietTunnelIsClosedAfterTheIdleTimeout() throws Exception {
        try (RawHttp tunnel = new RawHttp(gateway.port(), 5_000)) {
            assertEquals(101, tunnel.upgradeToWebSocket(echo.port() + "-box.localhost").status());
            long start = System.nanoTime();
            assertTrue(tunnel.closedByPeer(), "closed within the socket's 5 s read timeout");
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited >= IDLE_MILLIS - 100, "closed after " + waited + " ms; the idle timeout is " + IDLE_MILLIS);
        }
    }

    @Test
    void aTunnelCarryingMessagesStaysOpenPastTheIdleTimeout() throws Exception {
        try (RawHttp tunnel = new RawHttp(gateway.port(), 5_000)) {
            assertEquals(101, tunnel.upgradeToWebSocket(echo.port() + "-box.localhost").status());
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * IDLE_MILLIS);
            int sent = 0;
            while (System.nanoTime() < until) {
                echoes(tunnel, "message " + sent++);
            }
            // The read timeout is 5 s and the idle timeout 0.6 s: a tunnel closed on the way fails this echo.
            echoes(tunnel, "still open after " + sent + " messages");
        }
    }

    private static void echoes(RawHttp tunnel, String text) throws IOException {
        assertEquals(text, tunnel.sendTextFrame(text).readTextFrame());
    }
}
