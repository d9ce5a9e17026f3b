package dev.sandboxgateway.gateway.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.gateway.testing.WebSocketEchoBackend;
import dev.sandboxgateway.testing.Eventually;
import dev.sandboxgateway.testing.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two gateways sharing one real Redis: writes through one are honoured by both, outages are survived. */
class SharedRedisRegistryTest {

    private static final HttpClient ADMIN = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RedisServer redis;
    private TestBackend app;
    private TestBackend echo;
    private GatewayFixture first;
    private GatewayFixture second;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        app = TestBackend.http(() -> new InfoHandler("app"));
        echo = WebSocketEchoBackend.start(new CompletableFuture<>());
        Map<String, String> shared = Map.of(
                "GATEWAY_REGISTRY_TYPE", "redis",
                "GATEWAY_REGISTRY_REDIS_URI", redis.uri(),
                "GATEWAY_REGISTRY_REDIS_KEY_PREFIX", "shared-test:",
                "GATEWAY_LIFECYCLE_CLOSE_GRACE", "1s");
        first = GatewayFixture.start(GatewayFixture.config(shared));
        second = GatewayFixture.start(GatewayFixture.config(shared));
    }

    @AfterEach
    void stop() throws Exception {
        first.close();
        second.close();
        app.close();
        echo.close();
        redis.close();
    }

    private static int admin(GatewayFixture gateway, String method, String id, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + gateway.adminPort() + "/v1/sandboxes/" + id))
                .timeout(Duration.ofSeconds(5));
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return ADMIN.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private int route(GatewayFixture gateway, String id) throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            return client.exchange(RawHttp.get(app.port() + "-" + id + ".localhost", "/")).status();
        }
    }

    private static String errorCode(GatewayFixture gateway, String host) throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            return client.exchange(RawHttp.get(host, "/")).header("x-gateway-error");
        }
    }

    @Test
    void aSandboxRegisteredThroughOneGatewayIsRoutedByBoth() throws Exception {
        assertEquals(404, route(second, "box"));
        assertEquals(200, admin(first, "PUT", "box", "{\"backendHost\":\"127.0.0.1\"}"));
        assertEquals(200, route(first, "box"));
        assertEquals(200, route(second, "box"), "the not-found answer cached before was dropped by the event");
    }

    @Test
    void aDeletionThroughOneGatewayStopsBothWithin100msAndClosesTheirWebSockets() throws Exception {
        assertEquals(200, admin(first, "PUT", "box", "{\"backendHost\":\"127.0.0.1\"}"));
        assertEquals(200, route(first, "box"));
        assertEquals(200, route(second, "box"));
        try (RawHttp tunnelA = new RawHttp(first.port(), 5000); RawHttp tunnelB = new RawHttp(second.port(), 5000)) {
            assertEquals(101, tunnelA.upgradeToWebSocket(echo.port() + "-box.localhost").status());
            assertEquals(101, tunnelB.upgradeToWebSocket(echo.port() + "-box.localhost").status());

            assertEquals(204, admin(second, "DELETE", "box", null));
            long deleted = System.nanoTime();
            Eventually.await("both gateways stop routing the deleted sandbox", Duration.ofSeconds(5),
                    () -> statusOf(first, "box") == 404 && statusOf(second, "box") == 404);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - deleted);
            assertTrue(millis < 100, "honoured by both gateways after " + millis + " ms");

            assertEquals("1001 sandbox removed, stopped or moved", tunnelA.readCloseFrame());
            assertTrue(tunnelA.closedByPeer(), "the first gateway closed its WebSocket to the sandbox");
            assertEquals("1001 sandbox removed, stopped or moved", tunnelB.readCloseFrame());
            assertTrue(tunnelB.closedByPeer(), "the second gateway closed its WebSocket to the sandbox");
        }
    }

    @Test
    void aWriteThroughAGatewayHoldsForItsVeryNextRequestWhateverItsCacheIsDoing() throws Exception {
        // Refreshes every few milliseconds and two clients looking the id up all along: at any moment a
        // load or a refresh of it may be in flight when the write lands.
        try (GatewayFixture busy = GatewayFixture.start(GatewayFixture.config(Map.of(
                "GATEWAY_REGISTRY_TYPE", "redis",
                "GATEWAY_REGISTRY_REDIS_URI", redis.uri(),
                "GATEWAY_REGISTRY_REDIS_KEY_PREFIX", "shared-test:",
                "GATEWAY_CACHE_REFRESH_AFTER", "2ms")))) {
            AtomicBoolean looking = new AtomicBoolean(true);
            List<CompletableFuture<Void>> lookers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                lookers.add(CompletableFuture.runAsync(() -> lookUpUntilStopped(busy, looking)));
            }
            try {
                for (int round = 0; round < 40; round++) {
                    assertEquals(200, admin(busy, "PUT", "race", "{\"backendHost\":\"127.0.0.1\"}"));
                    assertEquals(200, route(busy, "race"), "round " + round + ": the sandbox written just before");
                    assertEquals(204, admin(busy, "DELETE", "race", null));
                    assertEquals(404, route(busy, "race"), "round " + round + ": the sandbox deleted just before");
                }
            } finally {
                looking.set(false);
                CompletableFuture.allOf(lookers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Requests for the racing id, until told to stop or for 60 s at most. A deletion closes the
     * client connections addressing the sandbox, so each one is opened again when it closes.
     */
    private void lookUpUntilStopped(GatewayFixture gateway, AtomicBoolean looking) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (looking.get() && System.nanoTime() < deadline) {
            try (RawHttp client = new RawHttp(gateway.port())) {
                while (looking.get() && System.nanoTime() < deadline) {
                    client.exchange(RawHttp.get(app.port() + "-race.localhost", "/"));
                }
            } catch (IOException closedByTheDeletion) {
                // Looked up again on a new connection.
            }
        }
    }

    @Test
    void aRedisOutageKeepsCachedRoutesRefusesUnknownIdsWith503AndRecovers() throws Exception {
        assertEquals(200, admin(first, "PUT", "box", "{\"backendHost\":\"127.0.0.1\"}"));
        assertEquals(200, route(first, "box"));
        assertEquals(200, route(second, "box"));

        redis.kill();
        for (GatewayFixture gateway : List.of(first, second)) {
            assertEquals(200, route(gateway, "box"), "a cached route keeps working while Redis is down");
            assertEquals("registry_unavailable", errorCode(gateway, app.port() + "-unknown.localhost"),
                    "an unknown id is 503, never 404, while Redis is down");
            assertTrue(gateway.gateway().isReady(), "still ready: cached sandboxes can be served");
        }
        assertEquals(503, admin(first, "PUT", "other", "{\"backendHost\":\"127.0.0.1\"}"));

        redis.restart();
        Eventually.await("both gateways reconnect", Duration.ofSeconds(15),
                () -> first.gateway().registry().isAvailable() && second.gateway().registry().isAvailable());
        assertEquals(200, admin(first, "PUT", "other", "{\"backendHost\":\"127.0.0.1\"}"));
        for (GatewayFixture gateway : List.of(first, second)) {
            Eventually.await("full service after the reconnect", Duration.ofSeconds(5),
                    () -> statusOf(gateway, "other") == 200);
            assertEquals("sandbox_not_found", errorCode(gateway, app.port() + "-unknown.localhost"));
            assertEquals("sandbox_not_found", errorCode(gateway, app.port() + "-box.localhost"),
                    "the restarted Redis is empty: the stale route was dropped on reconnect");
        }
    }

    @Test
    void aGatewayStartedWhileRedisIsDownIsNotReadyUntilItConnects() throws Exception {
        redis.kill();
        try (GatewayFixture late = GatewayFixture.start(GatewayFixture.config(Map.of(
                "GATEWAY_REGISTRY_TYPE", "redis", "GATEWAY_REGISTRY_REDIS_URI", redis.uri(),
                "GATEWAY_REGISTRY_REDIS_KEY_PREFIX", "shared-test:")))) {
            HttpResponse<String> notReady = ADMIN.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + late.adminPort() + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, notReady.statusCode(), "nothing cached and no registry: nothing can be served");
            assertEquals("registry_unavailable", errorCode(late, app.port() + "-box.localhost"));

            redis.restart();
            Eventually.await("the gateway connects by itself", Duration.ofSeconds(15), () -> late.gateway().isReady());
            assertEquals("sandbox_not_found", errorCode(late, app.port() + "-box.localhost"));
        }
    }

    private int statusOf(GatewayFixture gateway, String id) {
        try {
            return route(gateway, id);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
