package dev.sandboxgateway.gateway.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.RegistryUpdates;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.registry.WritableSandboxRegistry;
import dev.sandboxgateway.testing.Eventually;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A network partition between one gateway and Redis, with real links: Redis runs in a network
 * namespace of its own, reached by gateway A over one veth pair and by gateway B over another, so
 * taking A's link down cuts A off while B keeps talking to Redis. A keeps serving what it cached
 * (stale, and counted, past its TTL) to a client that keeps sending, answers unknown ids 503, stays
 * ready, and gives up its silent connections; B is unaffected; a sandbox deleted during the
 * partition stops being served by A within the documented bound once the link is back.
 */
class RedisPartitionTest {

    private final String namespace = "sgw-test-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20));
    /** Octet of the 10.x.y.z networks, per run, so parallel runs on one host do not collide. */
    private final int net = 100 + ThreadLocalRandom.current().nextInt(100);
    private final String linkA = namespace.substring(9) + "a";
    private final String linkB = namespace.substring(9) + "b";
    private final List<AutoCloseable> closing = new ArrayList<>();
    private Process redis;

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("'" + String.join(" ", command) + "' failed: " + output.strip()
                    + " (this test needs root and Linux network namespaces: iproute2's ip netns)");
        }
    }

    /** A veth pair from here into the namespace: {@code 10.net.subnet.1} here, {@code .2} there. */
    private void link(String name, int subnet) throws IOException, InterruptedException {
        run("ip", "link", "add", name, "type", "veth", "peer", "name", name + "p");
        run("ip", "link", "set", name + "p", "netns", namespace);
        run("ip", "addr", "add", "10." + net + "." + subnet + ".1/24", "dev", name);
        run("ip", "link", "set", name, "up");
        run("ip", "netns", "exec", namespace, "ip", "addr", "add", "10." + net + "." + subnet + ".2/24", "dev", name + "p");
        run("ip", "netns", "exec", namespace, "ip", "link", "set", name + "p", "up");
    }

    @BeforeEach
    void network() throws Exception {
        run("ip", "netns", "add", namespace);
        run("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up");
        link(linkA, 1);
        link(linkB, 2);
        redis = new ProcessBuilder("ip", "netns", "exec", namespace, "redis-server", "--port", "6379", "--bind", "0.0.0.0",
                "--save", "", "--appendonly", "no", "--protected-mode", "no", "--daemonize", "no")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    @AfterEach
    void removeNetwork() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        if (redis != null) {
            redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        // Deleting the namespace deletes the veth ends in it, and so both pairs.
        run("ip", "netns", "del", namespace);
    }

    private GatewayFixture gatewayVia(int subnet) throws Exception {
        GatewayFixture gateway = GatewayFixture.start(GatewayFixture.config(Map.of("GATEWAY_REGISTRY_TYPE", "redis",
                "GATEWAY_REGISTRY_REDIS_URI", "redis://10." + net + "." + subnet + ".2:6379",
                "GATEWAY_REGISTRY_REDIS_COMMAND_TIMEOUT", "500ms",
                // A short TTL, so the partition outlasts it and cached routes are served stale.
                "GATEWAY_CACHE_FOUND_TTL", "1s", "GATEWAY_CACHE_REFRESH_AFTER", "500ms")));
        closing.add(gateway);
        return gateway;
    }

    private static int status(GatewayFixture gateway, int port, String id) {
        try (RawHttp client = new RawHttp(gateway.port(), 10_000)) {
            return client.exchange(RawHttp.get(port + "-" + id + ".localhost", "/")).status();
        } catch (IOException e) {
            return -1;
        }
    }

    /** {@code gateway_registry_lookups_total{result="stale"}} from the gateway's own scrape. */
    private static double staleLookups(GatewayFixture gateway) {
        String metrics;
        try {
            metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + gateway.adminPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return metrics.lines().filter(line -> line.startsWith("gateway_registry_lookups_total{result=\"stale\"}"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no stale lookups series in\n" + metrics));
    }

    @Test
    void aGatewayCutOffFromRedisServesWhatItCachedAndCatchesUpAfterTheHeal() throws Exception {
        TestBackend backend = TestBackend.http(() -> new InfoHandler("app"));
        closing.add(backend);
        int port = backend.port();
        GatewayFixture cutOff = gatewayVia(1);
        GatewayFixture other = gatewayVia(2);
        Eventually.await("both gateways reach Redis in its namespace", Duration.ofSeconds(20),
                () -> cutOff.gateway().registry().isAvailable() && other.gateway().registry().isAvailable());
        WritableSandboxRegistry throughOther = (WritableSandboxRegistry) other.gateway().registry();
        try (RegistryUpdates updates = RegistryUpdates.expect(cutOff.gateway().registry(), "kept", "doomed")) {
            throughOther.put(SandboxRecord.running("kept", "127.0.0.1")).join();
            throughOther.put(SandboxRecord.running("doomed", "127.0.0.1")).join();
            updates.await(Duration.ofSeconds(10)); // else a late event could drop what is cached below
        }
        assertEquals(200, status(cutOff, port, "kept"));
        assertEquals(200, status(cutOff, port, "doomed"));

        run("ip", "link", "set", linkA, "down");
        // A client keeps asking the cut-off gateway for its cached sandbox through the whole partition.
        AtomicBoolean partitioned = new AtomicBoolean(true);
        AtomicInteger served = new AtomicInteger();
        List<Integer> failed = new CopyOnWriteArrayList<>();
        Thread client = new Thread(() -> {
            while (partitioned.get()) {
                int status = status(cutOff, port, "kept");
                if (status == 200) {
                    served.incrementAndGet();
                } else {
                    failed.add(status);
                }
            }
        }, "partition-client");
        client.start();
        try {
            assertEquals(200, status(cutOff, port, "kept"), "a cached sandbox is still served");
            Eventually.await("past cache.foundTtl the cached route is served stale, and counted", Duration.ofSeconds(15),
                    () -> staleLookups(cutOff) > 0);
            assertEquals(503, status(cutOff, port, "unknown"), "an unknown id is 503, never 404");
            assertTrue(cutOff.gateway().isReady(), "ready: it can still serve what it cached");

            throughOther.put(SandboxRecord.running("fresh", "127.0.0.1")).join();
            assertEquals(200, status(other, port, "fresh"), "the other gateway is unaffected");
            assertEquals(true, throughOther.remove("doomed").join());
            assertEquals(404, status(other, port, "doomed"));
            assertEquals(200, status(cutOff, port, "doomed"), "served from its cache: it cannot hear the deletion yet");
            // A partition longer than the dead-link timeout: the kernel would otherwise keep the silent
            // connections and retransmit to them with a doubling backoff long after the heal.
            Eventually.await("the cut-off gateway gives up its silent Redis connections", Duration.ofSeconds(20),
                    () -> !cutOff.gateway().registry().isAvailable());
            assertEquals(200, status(cutOff, port, "kept"), "still served from its cache");
            assertTrue(cutOff.gateway().isReady(), "and still ready");
        } finally {
            partitioned.set(false);
            client.join(TimeUnit.SECONDS.toMillis(15));
            run("ip", "link", "set", linkA, "up");
        }
        assertTrue(failed.isEmpty(), "every request for the cached sandbox was served during the partition: " + failed);
        assertTrue(served.get() > 0, "the client kept sending");
        long healed = System.nanoTime();
        // docs/operations.md bounds this: the reconnect delay (at most 2 s) plus connecting and one lookup.
        Eventually.await("after the heal the deletion reaches the cut-off gateway", Duration.ofSeconds(5),
                () -> status(cutOff, port, "doomed") == 404);
        System.out.println("redis partition: the cut-off gateway stopped serving the deleted sandbox "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healed) + " ms after the link came back");
        assertEquals(200, status(cutOff, port, "fresh"), "and finds sandboxes created meanwhile");
    }
}
