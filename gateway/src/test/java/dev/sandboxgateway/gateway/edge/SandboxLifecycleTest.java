package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.HoldingHandler;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.gateway.testing.WebSocketEchoBackend;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.registry.SandboxState;
import dev.sandboxgateway.routing.registry.WritableSandboxRegistry;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Open connections follow their sandbox's record: removed, stopped or moved sandboxes lose them. */
class SandboxLifecycleTest {

    private static TestBackend app;
    private static TestBackend movedApp;
    private static TestBackend echo;
    private GatewayFixture gateway;

    @BeforeAll
    static void startBackends() throws Exception {
        app = TestBackend.http("127.0.0.1", () -> new InfoHandler("old"));
        movedApp = TestBackend.http("127.0.0.2", () -> new InfoHandler("new"));
        echo = WebSocketEchoBackend.start(new CompletableFuture<>());
    }

    @AfterAll
    static void stopBackends() {
        app.close();
        movedApp.close();
        echo.close();
    }

    @BeforeEach
    void start() throws Exception {
        gateway = GatewayFixture.start(Map.of("GATEWAY_LIFECYCLE_CLOSE_GRACE", "2s")).register("box");
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private WritableSandboxRegistry registry() {
        return (WritableSandboxRegistry) gateway.gateway().registry();
    }

    @Test
    void removingASandboxClosesItsWebSocketsAndIdleConnections() throws Exception {
        try (RawHttp tunnel = new RawHttp(gateway.port(), 5000); RawHttp idle = new RawHttp(gateway.port(), 5000);
             RawHttp other = new RawHttp(gateway.port(), 1000)) {
            gateway.register("bystander");
            assertEquals(101, tunnel.upgradeToWebSocket(echo.port() + "-box.localhost").status());
            assertEquals(200, idle.exchange(RawHttp.get(app.port() + "-box.localhost", "/")).status());
            assertEquals(200, other.exchange(RawHttp.get(app.port() + "-bystander.localhost", "/")).status());

            registry().remove("box").join();
            assertEquals("1001 sandbox removed, stopped or moved", tunnel.readCloseFrame());
            assertTrue(tunnel.closedByPeer(), "the WebSocket to the removed sandbox is closed");
            assertTrue(idle.closedByPeer(), "the idle keep-alive connection is closed");
            assertFalse(other.closedByPeer(), "another sandbox's connection is untouched");
        }
    }

    @Test
    void stoppingASandboxClosesItsConnections() throws Exception {
        try (RawHttp tunnel = new RawHttp(gateway.port(), 5000)) {
            assertEquals(101, tunnel.upgradeToWebSocket(echo.port() + "-box.localhost").status());
            registry().put(SandboxRecord.running("box", "127.0.0.1").withState(SandboxState.STOPPED)).join();
            assertEquals("1001 sandbox removed, stopped or moved", tunnel.readCloseFrame());
            assertTrue(tunnel.closedByPeer());
        }
    }

    @Test
    void movingASandboxLetsTheInFlightResponseFinishThenNewRequestsFollowTheNewAddress() throws Exception {
        CountDownLatch received = new CountDownLatch(1);
        CompletableFuture<Void> release = new CompletableFuture<>();
        try (TestBackend holding = TestBackend.http(() -> new HoldingHandler(received, release));
             RawHttp client = new RawHttp(gateway.port(), 5000)) {
            client.send(RawHttp.get(holding.port() + "-box.localhost", "/slow"));
            assertTrue(received.await(5, TimeUnit.SECONDS));

            registry().put(SandboxRecord.running("box", "127.0.0.2")).join();
            release.complete(null);
            RawHttp.Response inFlight = client.readResponse();
            assertEquals(200, inFlight.status());
            assertEquals("done", inFlight.text(), "the response in flight is delivered whole");
            // Whether the response itself says "Connection: close" depends on which arrives first,
            // the change event or the response head; either way the connection closes after it.
            assertTrue(client.closedByPeer());
        }
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response moved = client.exchange(RawHttp.get(movedApp.port() + "-box.localhost", "/"));
            assertEquals("new", moved.header("x-backend"));
        }
    }

    @Test
    void aResponseThatOutlivesTheGraceIsCutOff() throws Exception {
        CountDownLatch received = new CountDownLatch(1);
        try (TestBackend holding = TestBackend.http(() -> new HoldingHandler(received, new CompletableFuture<>()));
             RawHttp client = new RawHttp(gateway.port(), 10_000)) {
            client.send(RawHttp.get(holding.port() + "-box.localhost", "/never"));
            assertTrue(received.await(5, TimeUnit.SECONDS));
            long start = System.nanoTime();
            registry().remove("box").join();
            assertTrue(client.closedByPeer());
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waitedMillis >= 1500 && waitedMillis < 8000, "closed after the 2 s grace, took " + waitedMillis);
        }
    }

    @Test
    void changesThatDoNotAffectRoutingLeaveConnectionsOpen() throws Exception {
        try (RawHttp tunnel = new RawHttp(gateway.port(), 1000)) {
            assertEquals(101, tunnel.upgradeToWebSocket(echo.port() + "-box.localhost").status());
            registry().put(SandboxRecord.running("box", "127.0.0.1").withMaxRequestBodySize(1_000_000L)).join();
            assertFalse(tunnel.closedByPeer(), "labels and body limits do not invalidate an open connection");
        }
    }
}
