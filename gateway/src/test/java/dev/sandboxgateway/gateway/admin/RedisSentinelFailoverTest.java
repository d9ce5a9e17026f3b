package dev.sandboxgateway.gateway.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.RegistryUpdates;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.testing.Eventually;
import dev.sandboxgateway.testing.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways on a Redis master, its replica and three sentinels, real processes on loopback. The
 * master is killed: cached routes keep serving throughout, registry writes succeed again once a
 * sentinel promoted the replica, and change events reach the other gateway again.
 */
class RedisSentinelFailoverTest {

    private static final String MASTER_NAME = "registry";

    @TempDir
    Path dir;

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        closing.add(resource);
        return resource;
    }

    private static String cli(int port, String... command) throws IOException, InterruptedException {
        List<String> arguments = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
        arguments.addAll(List.of(command));
        Process process = new ProcessBuilder(arguments).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "redis-cli did not finish");
        return output;
    }

    private int put(GatewayFixture gateway, String id, String backendHost) {
        return put(gateway, id, backendHost, "running");
    }

    private int put(GatewayFixture gateway, String id, String backendHost, String state) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort()
                            + "/v1/sandboxes/" + id)).timeout(Duration.ofSeconds(5))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"backendHost\":\"" + backendHost + "\",\"state\":\""
                            + state + "\"}")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** {@link #backendOf}, or "" when the request fails. */
    private static String answerOf(GatewayFixture gateway, int port, String id) {
        try {
            return backendOf(gateway, port, id);
        } catch (IOException e) {
            return "";
        }
    }

    private static String backendOf(GatewayFixture gateway, int port, String id) throws IOException {
        try (RawHttp client = new RawHttp(gateway.port(), 5000)) {
            RawHttp.Response response = client.exchange(RawHttp.get(port + "-" + id + ".localhost", "/"));
            return response.status() == 200 ? InfoHandler.parse(response.body()).get("backend") : "status " + response.status();
        }
    }

    @Test
    void theGatewaysFollowAFailoverAndKeepServingCachedRoutesThroughIt() throws Exception {
        RedisServer master = closeLater(RedisServer.start());
        RedisServer replica = closeLater(RedisServer.startReplicaOf(master.port()));
        Eventually.await("the replica synced", Duration.ofSeconds(20), () -> {
            try {
                return cli(replica.port(), "info", "replication").contains("master_link_status:up");
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        List<RedisServer> sentinels = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sentinels.add(closeLater(RedisServer.startSentinel(dir, master.port(), MASTER_NAME)));
        }
        Eventually.await("the sentinels know each other and the replica", Duration.ofSeconds(30), () -> {
            try {
                return cli(sentinels.get(0).port(), "sentinel", "sentinels", MASTER_NAME).split("\n").length >= 2
                        && cli(sentinels.get(0).port(), "sentinel", "replicas", MASTER_NAME).contains(
                                Integer.toString(replica.port()));
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        String uri = "redis-sentinel://" + String.join(",", sentinels.stream()
                .map(sentinel -> "127.0.0.1:" + sentinel.port()).toList()) + "#" + MASTER_NAME;
        Map<String, String> settings = Map.of("GATEWAY_REGISTRY_TYPE", "redis", "GATEWAY_REGISTRY_REDIS_URI", uri,
                "GATEWAY_REGISTRY_REDIS_COMMAND_TIMEOUT", "1s");
        GatewayFixture first = closeLater(GatewayFixture.start(GatewayFixture.config(settings)));
        GatewayFixture second = closeLater(GatewayFixture.start(GatewayFixture.config(settings)));
        TestBackend one = closeLater(TestBackend.http(() -> new InfoHandler("one")));
        Eventually.await("both gateways connected", Duration.ofSeconds(20),
                () -> first.gateway().registry().isAvailable() && second.gateway().registry().isAvailable());

        try (RegistryUpdates onFirst = RegistryUpdates.expect(first.gateway().registry(), "box");
             RegistryUpdates onSecond = RegistryUpdates.expect(second.gateway().registry(), "box")) {
            assertEquals(200, put(first, "box", "127.0.0.1"));
            onFirst.await(Duration.ofSeconds(10)); // else a late event could drop what is cached below
            onSecond.await(Duration.ofSeconds(10));
        }
        assertEquals("one", backendOf(first, one.port(), "box"));
        assertEquals("one", backendOf(second, one.port(), "box"));

        AtomicBoolean failingOver = new AtomicBoolean(true);
        AtomicInteger served = new AtomicInteger();
        List<String> failures = new ArrayList<>();
        CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
            while (failingOver.get()) {
                try {
                    String backend = backendOf(first, one.port(), "box");
                    if (backend.equals("one")) {
                        served.incrementAndGet();
                    } else {
                        synchronized (failures) {
                            failures.add(backend);
                        }
                    }
                } catch (IOException e) {
                    synchronized (failures) {
                        failures.add(e.toString());
                    }
                }
            }
        });
        long killed = System.nanoTime();
        master.kill();
        Eventually.await("a registry write succeeds again after the promotion", Duration.ofSeconds(45),
                () -> put(first, "after", "127.0.0.1") == 200);
        long recoveredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        failingOver.set(false);
        traffic.get(10, TimeUnit.SECONDS);
        System.out.println("redis sentinel failover: writes through the admin API succeeded again after "
                + recoveredMillis + " ms; " + served.get() + " cached requests served meanwhile");
        assertEquals(List.of(), failures, "cached routes kept serving throughout the failover");
        assertTrue(served.get() > 0);

        // A change made as soon as the new master takes writes, perhaps before the second gateway has
        // resubscribed and so without its event: it is followed within the bound all the same, since a
        // resubscribed gateway treats its cache as unconfirmed.
        assertEquals(200, put(first, "box", "127.0.0.1", "stopped"));
        long changed = System.nanoTime();
        Eventually.await("the second gateway follows a change made around the failover", Duration.ofSeconds(10),
                () -> answerOf(second, one.port(), "box").equals("status 503"));
        System.out.println("redis sentinel failover: the other gateway followed a change made at the promotion after "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - changed) + " ms");

        // Change events reach the other gateway again: it follows a change long before its cache expires.
        Eventually.await("the second gateway reconnected", Duration.ofSeconds(30),
                () -> second.gateway().registry().isAvailable());
        assertEquals(200, put(first, "box", "127.0.0.1"));
        Eventually.await("the second gateway saw the change event", Duration.ofSeconds(5),
                () -> answerOf(second, one.port(), "box").equals("one"));
    }
}
