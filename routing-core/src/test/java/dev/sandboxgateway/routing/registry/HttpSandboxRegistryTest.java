package dev.sandboxgateway.routing.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sandboxgateway.testing.Eventually;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP control-plane registry against a real HTTP server on loopback. */
class HttpSandboxRegistryTest {

    private static final HttpSandboxRegistry.FieldMapping ORCHESTRATOR_FIELDS = new HttpSandboxRegistry.FieldMapping(
            "/sandbox/id", null, "/network/ip", "/sandbox/status", "/exposedPorts", null, "/tags", null, null, null, null, null);

    private HttpServer server;
    private ExecutorService threads;
    private final Map<String, String> authorizations = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        threads = Executors.newCachedThreadPool();
        server.setExecutor(threads);
        server.createContext("/api/v1/sandboxes/", this::answer);
        server.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
        threads.shutdownNow();
    }

    private void answer(HttpExchange exchange) throws IOException {
        String id = exchange.getRequestURI().getPath().substring("/api/v1/sandboxes/".length());
        authorizations.put(id, String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            switch (id) {
                case "abc" -> send(exchange, 200, """
                        {"sandbox": {"id": "abc", "status": "running"}, "network": {"ip": "10.3.0.7"},
                         "exposedPorts": [3000, 8080], "tags": {"team": "web"}, "createdBy": "ignored"}""");
                case "broken" -> send(exchange, 500, "{}");
                case "wrong" -> send(exchange, 200, "{\"sandbox\": {\"id\": \"other\"}, \"network\": {\"ip\": \"10.0.0.1\"}}");
                case "invalid" -> send(exchange, 200, "{\"sandbox\": {\"id\": \"invalid\", \"status\": \"asleep\"},"
                        + " \"network\": {\"ip\": \"10.0.0.1\"}}");
                case "slow" -> {
                    release.await(10, TimeUnit.SECONDS);
                    send(exchange, 200, "{\"network\": {\"ip\": \"10.0.0.2\"}}");
                }
                default -> send(exchange, 404, "{\"error\": \"no such sandbox\"}");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private HttpSandboxRegistry registry(Duration timeout, int concurrency) {
        return new HttpSandboxRegistry(new HttpSandboxRegistry.Settings(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1"), "/sandboxes/{id}",
                "cp-token", timeout, concurrency, ORCHESTRATOR_FIELDS));
    }

    @Test
    void aDocumentIsMappedToARecordThroughTheConfiguredPointers() {
        SandboxRecord record = registry(Duration.ofSeconds(2), 4).lookup("abc").join().orElseThrow();
        assertEquals("10.3.0.7", record.backendHost());
        assertEquals(SandboxState.RUNNING, record.state());
        assertEquals(Set.of(3000, 8080), record.allowedPorts());
        assertEquals(Map.of("team", "web"), record.labels());
        assertEquals("Bearer cp-token", authorizations.get("abc"));
    }

    @Test
    void notFoundIsEmptyAndEveryOtherFailureIsAnError() {
        HttpSandboxRegistry registry = registry(Duration.ofSeconds(2), 4);
        assertEquals(Optional.empty(), registry.lookup("nosuch").join());
        for (String id : List.of("broken", "wrong", "invalid")) {
            CompletionException error = assertThrows(CompletionException.class, () -> registry.lookup(id).join());
            assertTrue(error.getCause() instanceof RegistryUnavailableException, id + ": " + error.getCause());
        }
        assertTrue(registry.lookup("invalid").handle((r, e) -> e.getCause().getMessage()).join().contains("asleep"));
    }

    @Test
    void aSlowControlPlaneTimesOut() {
        HttpSandboxRegistry registry = registry(Duration.ofMillis(300), 4);
        long start = System.nanoTime();
        CompletionException error = assertThrows(CompletionException.class, () -> registry.lookup("slow").join());
        assertTrue(error.getCause() instanceof RegistryUnavailableException, error.getCause().toString());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3));
        assertFalse(registry.isAvailable());
    }

    @Test
    void aNewTimeoutBoundsTheNextLookups() {
        HttpSandboxRegistry registry = registry(Duration.ofSeconds(30), 4);
        registry.timeout(Duration.ofMillis(300));
        long start = System.nanoTime();
        CompletionException error = assertThrows(CompletionException.class, () -> registry.lookup("slow").join());
        assertTrue(error.getCause() instanceof RegistryUnavailableException, error.getCause().toString());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3), "not the 30 s it opened with");
    }

    @Test
    void concurrentCallsAreBounded() {
        HttpSandboxRegistry registry = registry(Duration.ofSeconds(10), 2);
        List<CompletableFuture<Optional<SandboxRecord>>> lookups = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            lookups.add(registry.lookup("slow"));
        }
        Eventually.await("two calls reach the server", Duration.ofSeconds(5), () -> inFlight.get() == 2);
        release.countDown();
        lookups.forEach(lookup -> assertEquals("10.0.0.2", lookup.join().orElseThrow().backendHost()));
        assertEquals(2, maxInFlight.get(), "no more than two calls were ever in flight");
    }
}
