package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.gateway.testing.WebSocketEchoBackend;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.testing.Eventually;
import dev.sandboxgateway.testing.UnusedPorts;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A sandbox whose port refuses connections is usually a server still starting: requests and
 * WebSocket upgrades are held and served once it listens, within backend.portStartupWait and the
 * held-request bounds; after that, browsers get a page that reloads itself and others a 502
 * port_not_listening with Retry-After.
 */
class PortStartupTest {

    private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
    /** Closed latest first: backends started by {@link #startLater} join from the test's timer thread. */
    private final Deque<AutoCloseable> closing = new ConcurrentLinkedDeque<>();

    @AfterEach
    void stop() throws Exception {
        later.shutdownNow();
        assertTrue(later.awaitTermination(10, TimeUnit.SECONDS));
        for (AutoCloseable resource = closing.pollFirst(); resource != null; resource = closing.pollFirst()) {
            resource.close();
        }
    }

    private GatewayFixture gateway(Map<String, String> settings) throws Exception {
        GatewayFixture gateway = GatewayFixture.start(settings);
        closing.addFirst(gateway);
        gateway.register("box");
        return gateway;
    }

    /** Starts {@code backend} {@code delay} from now, on the test's own thread; returns what it started. */
    private CompletableFuture<TestBackend> startLater(Duration delay, BackendStart backend) {
        CompletableFuture<TestBackend> started = new CompletableFuture<>();
        ScheduledFuture<?> ignored = later.schedule(() -> {
            try {
                TestBackend running = backend.start();
                closing.addFirst(running);
                started.complete(running);
            } catch (Exception e) {
                started.completeExceptionally(e);
            }
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
        return started;
    }

    @FunctionalInterface
    private interface BackendStart {
        TestBackend start() throws Exception;
    }

    private static double count(GatewayFixture gateway, String name, String result) {
        MeterRegistry registry = gateway.gateway().metrics().registry();
        return registry.get(name).tag("result", result).counter().count();
    }

    private static double held(GatewayFixture gateway) {
        return gateway.gateway().metrics().registry().get("gateway.requests.held").gauge().value();
    }

    @Test
    void aRequestIsHeldUntilThePortListensThenServedOnce() throws Exception {
        int port = UnusedPorts.next();
        GatewayFixture gateway = gateway(Map.of());
        try (RawHttp client = new RawHttp(gateway.port(), 15_000)) {
            long start = System.nanoTime();
            client.send("POST /start HTTP/1.1\r\nHost: " + port + "-box.localhost\r\nContent-Length: 5\r\n"
                    + "Cookie: sandbox-gateway-port-wait=3; app=1\r\n\r\nhello");
            CompletableFuture<TestBackend> backend = startLater(Duration.ofMillis(1500),
                    () -> TestBackend.httpOn(port, () -> new InfoHandler("late")));
            RawHttp.Response response = client.readResponse();
            assertEquals(200, response.status(), response.text());
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(1500), "served after it listened");
            Map<String, String> seen = InfoHandler.parse(response.body());
            assertEquals("POST", seen.get("method"));
            assertEquals("5", seen.get("body-bytes"), "the body waited with the request");
            assertEquals("app=1", seen.get("header.cookie"), "the gateway's own cookie stays with the gateway");
            assertEquals(1, backend.get(5, TimeUnit.SECONDS).acceptedConnections(), "one connection, one request");
        }
        assertEquals(1.0, count(gateway, "gateway.port.waits", "served"));
        assertEquals(0.0, held(gateway));
    }

    @Test
    void aWebSocketUpgradeIsHeldTheSameWay() throws Exception {
        int port = UnusedPorts.next();
        GatewayFixture gateway = gateway(Map.of());
        try (RawHttp client = new RawHttp(gateway.port(), 15_000)) {
            CompletableFuture<TestBackend> backend = startLater(Duration.ofMillis(1500),
                    () -> WebSocketEchoBackend.startOn(port, new CompletableFuture<>()));
            RawHttp.Response upgraded = client.upgradeToWebSocket(port + "-box.localhost");
            assertEquals(101, upgraded.status());
            client.sendTextFrame("hello after the wait");
            assertEquals("hello after the wait", client.readTextFrame());
            assertEquals(1, backend.get(5, TimeUnit.SECONDS).acceptedConnections());
        }
    }

    @Test
    void aPortThatNeverListensGetsPortNotListeningAfterTheWait() throws Exception {
        int port = UnusedPorts.next();
        GatewayFixture gateway = gateway(Map.of("GATEWAY_BACKEND_PORT_STARTUP_WAIT", "1s"));
        String host = port + "-box.localhost";
        try (RawHttp client = new RawHttp(gateway.port(), 15_000)) {
            long start = System.nanoTime();
            RawHttp.Response api = client.exchange(RawHttp.get(host, "/api"));
            assertTrue(System.nanoTime() - start >= TimeUnit.SECONDS.toNanos(1), "answered after the wait");
            assertEquals(502, api.status());
            assertEquals("port_not_listening", api.header("x-gateway-error"));
            assertEquals("2", api.header("retry-after"));
            assertTrue(api.text().startsWith("{\"code\":\"port_not_listening\",\"message\":\"Nothing was listening on port "
                    + port + " in sandbox box after waiting "), api.text());

            RawHttp.Response page = client.exchange("GET / HTTP/1.1\r\nHost: " + host + "\r\nAccept: text/html\r\n"
                    + "Cookie: sandbox-gateway-port-wait=4\r\n\r\n");
            assertEquals(502, page.status());
            assertTrue(page.text().contains("<meta http-equiv=\"refresh\" content=\"3\">"), page.text());
            assertFalse(page.text().contains("<script"), "no script");
            assertTrue(page.header("set-cookie").startsWith("sandbox-gateway-port-wait=5;"), page.header("set-cookie"));

            RawHttp.Response lastPage = client.exchange("GET / HTTP/1.1\r\nHost: " + host + "\r\nAccept: text/html\r\n"
                    + "Cookie: sandbox-gateway-port-wait=20\r\n\r\n");
            assertFalse(lastPage.text().contains("http-equiv=\"refresh\""), "the reloading is bounded");
            assertTrue(lastPage.text().contains("stopped reloading"), lastPage.text());
            assertTrue(lastPage.header("set-cookie").contains("Max-Age=0"), lastPage.header("set-cookie"));
        }
        assertEquals(3.0, count(gateway, "gateway.port.waits", "timed_out"));
    }

    @Test
    void aRecordCanTurnTheWaitOff() throws Exception {
        int port = UnusedPorts.next();
        GatewayFixture gateway = gateway(Map.of());
        gateway.register(SandboxRecord.running("eager", "127.0.0.1").withPortStartupWaitMillis(0L));
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.exchange(RawHttp.get(port + "-eager.localhost", "/"));
            assertEquals(502, response.status());
            assertEquals("backend_connection_refused", response.header("x-gateway-error"));
        }
    }

    @Test
    void heldRequestsStayWithinTheirBoundAndLeaveNothingBehind() throws Exception {
        int port = UnusedPorts.next();
        GatewayFixture gateway = gateway(Map.of("GATEWAY_BACKEND_PORT_STARTUP_WAIT", "2s",
                "GATEWAY_BACKEND_MAX_HELD_REQUESTS_PER_SANDBOX", "150"));
        List<RawHttp> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                RawHttp client = new RawHttp(gateway.port(), 15_000);
                clients.add(client);
                client.send(RawHttp.get(port + "-box.localhost", "/" + i));
            }
            Eventually.await("150 held, 50 answered at once", Duration.ofSeconds(10),
                    () -> held(gateway) == 150 && count(gateway, "gateway.port.waits", "over_limit") == 50);
            for (RawHttp client : clients) {
                RawHttp.Response response = client.readResponse();
                assertEquals(502, response.status());
                assertEquals("port_not_listening", response.header("x-gateway-error"));
            }
        } finally {
            for (RawHttp client : clients) {
                client.close();
            }
        }
        assertEquals(150.0, count(gateway, "gateway.port.waits", "timed_out"));
        assertEquals(0.0, held(gateway));
    }

    @Test
    void aHeldRequestWhoseClientLeavesIsDroppedWithoutAConnect() throws Exception {
        int port = UnusedPorts.next();
        GatewayFixture gateway = gateway(Map.of());
        try (RawHttp client = new RawHttp(gateway.port())) {
            client.send(RawHttp.get(port + "-box.localhost", "/"));
            Eventually.await("the request is held", Duration.ofSeconds(10), () -> held(gateway) == 1);
        }
        Eventually.await("the held request is dropped", Duration.ofSeconds(10),
                () -> held(gateway) == 0 && count(gateway, "gateway.port.waits", "client_gone") == 1);
        TestBackend backend = TestBackend.httpOn(port, () -> new InfoHandler("late"));
        closing.addFirst(backend);
        try (RawHttp client = new RawHttp(gateway.port())) {
            assertEquals(200, client.exchange(RawHttp.get(port + "-box.localhost", "/")).status());
        }
        assertEquals(1, backend.acceptedConnections(), "only the request whose client stayed connected");
    }
}
