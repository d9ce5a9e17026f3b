package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.registry.SandboxState;
import dev.sandboxgateway.routing.registry.WritableSandboxRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Requests to a paused sandbox wake it through the platform's URL, wait, and are then served. */
class WakeUpTest {

    private TestBackend app;
    private HttpServer platform;
    private final ConcurrentLinkedQueue<String> wakeCalls = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean resumeOnCall = new AtomicBoolean(true);
    private GatewayFixture gateway;

    @BeforeEach
    void start() throws Exception {
        app = TestBackend.http(() -> new InfoHandler("app"));
        platform = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        platform.createContext("/resume/", exchange -> {
            String id = exchange.getRequestURI().getPath().substring("/resume/".length());
            wakeCalls.add(id + " " + exchange.getRequestHeaders().getFirst("Authorization"));
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
            if (resumeOnCall.get()) {
                // The platform resumes the VM a little later and updates the registry.
                CompletableFuture.delayedExecutor(150, TimeUnit.MILLISECONDS).execute(() ->
                        registry().put(SandboxRecord.running(id, "127.0.0.1")).join());
            }
        });
        platform.start();
    }

    private void startGateway(String timeout) throws Exception {
        gateway = GatewayFixture.start(Map.of(
                "GATEWAY_WAKE_UP_URL", "http://127.0.0.1:" + platform.getAddress().getPort() + "/resume/{id}",
                "GATEWAY_WAKE_UP_TOKEN", "platform-secret",
                "GATEWAY_WAKE_UP_TIMEOUT", timeout));
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        platform.stop(0);
        app.close();
    }

    private WritableSandboxRegistry registry() {
        return (WritableSandboxRegistry) gateway.gateway().registry();
    }

    @Test
    void concurrentRequestsShareOneWakeUpAndAreServedOnceTheSandboxRuns() throws Exception {
        startGateway("10s");
        gateway.register(SandboxRecord.running("sleepy", "127.0.0.1").withState(SandboxState.PAUSED));
        List<RawHttp> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                RawHttp client = new RawHttp(gateway.port(), 10_000);
                clients.add(client);
                client.send(RawHttp.get(app.port() + "-sleepy.localhost", "/" + i));
            }
            for (RawHttp client : clients) {
                assertEquals(200, client.readResponse().status());
            }
        } finally {
            for (RawHttp client : clients) {
                client.close();
            }
        }
        assertEquals(List.of("sleepy Bearer platform-secret"), List.copyOf(wakeCalls), "one wake-up call for all four");
        assertEquals(1.0, wakeUps("running"));
        assertEquals(0.0, wakeUps("timeout"));
    }

    private double wakeUps(String result) {
        return gateway.gateway().metrics().registry().get("gateway.wakeups").tag("result", result).functionCounter()
                .count();
    }

    @Test
    void aSandboxThatDoesNotWakeInTimeGetsAClear503() throws Exception {
        resumeOnCall.set(false);
        startGateway("300ms");
        gateway.register(SandboxRecord.running("sleepy", "127.0.0.1").withState(SandboxState.PAUSED));
        try (RawHttp client = new RawHttp(gateway.port(), 10_000)) {
            RawHttp.Response response = client.exchange("GET / HTTP/1.1\r\nHost: " + app.port()
                    + "-sleepy.localhost\r\nAccept: text/html\r\n\r\n");
            assertEquals(503, response.status());
            assertEquals("sandbox_wake_timeout", response.header("x-gateway-error"));
            assertTrue(response.text().contains("did not start running within 300 ms"), response.text());
        }
        assertEquals(1.0, wakeUps("timeout"));
    }

    @Test
    void onlyClientsThatMayReachTheSandboxCanWakeIt() throws Exception {
        startGateway("10s");
        gateway.register(SandboxRecord.running("sleepy", "127.0.0.1").withState(SandboxState.PAUSED)
                .withAccessToken("owner-token"));
        try (RawHttp client = new RawHttp(gateway.port())) {
            assertEquals(401, client.exchange(RawHttp.get(app.port() + "-sleepy.localhost", "/")).status());
        }
        assertTrue(wakeCalls.isEmpty(), "a client without the token did not wake the sandbox");
    }
}
