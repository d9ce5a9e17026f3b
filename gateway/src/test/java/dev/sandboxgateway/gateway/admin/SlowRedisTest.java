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
import dev.sandboxgateway.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A Redis that stops answering (SIGSTOP: its connections stay open, nothing comes back) while
 * clients keep sending: a lookup of an unknown sandbox fails within registry.redis.commandTimeout
 * with 503, while requests for cached sandboxes are not held up at all (no event loop waits on
 * Redis); once Redis runs again, new sandboxes are found again.
 */
class SlowRedisTest {

    @Test
    void lookupsTimeOutWithinTheBoundWhileCachedRoutesStayFast() throws Exception {
        try (RedisServer redis = RedisServer.start();
             TestBackend backend = TestBackend.http(() -> new InfoHandler("app"));
             GatewayFixture gateway = GatewayFixture.start(GatewayFixture.config(Map.of("GATEWAY_REGISTRY_TYPE", "redis",
                     "GATEWAY_REGISTRY_REDIS_URI", redis.uri(), "GATEWAY_REGISTRY_REDIS_COMMAND_TIMEOUT", "500ms",
                     "GATEWAY_SERVER_IO_THREADS", "1")))) {
            WritableSandboxRegistry registry = (WritableSandboxRegistry) gateway.gateway().registry();
            Eventually.await("connected", Duration.ofSeconds(10), registry::isAvailable);
            try (RegistryUpdates updates = RegistryUpdates.expect(registry, "cached")) {
                registry.put(SandboxRecord.running("cached", "127.0.0.1")).join();
                updates.await(Duration.ofSeconds(10));
            }
            String cached = RawHttp.get(backend.port() + "-cached.localhost", "/");
            try (RawHttp client = new RawHttp(gateway.port())) {
                assertEquals(200, client.exchange(cached).status(), "now in the cache");
            }

            redis.pause();
            try {
                // One event loop serves both: a lookup stuck on Redis must not hold up the cached route.
                CompletableFuture<long[]> unknown = CompletableFuture.supplyAsync(() -> {
                    long start = System.nanoTime();
                    try (RawHttp client = new RawHttp(gateway.port(), 10_000)) {
                        int status = client.exchange(RawHttp.get(backend.port() + "-unknown.localhost", "/")).status();
                        return new long[] {status, System.nanoTime() - start};
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                List<Long> cachedMillis = new ArrayList<>();
                try (RawHttp client = new RawHttp(gateway.port())) {
                    while (!unknown.isDone()) {
                        long start = System.nanoTime();
                        assertEquals(200, client.exchange(cached).status());
                        cachedMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                    }
                }
                long[] answer = unknown.get(10, TimeUnit.SECONDS);
                assertEquals(503, answer[0], "an unknown id while the registry does not answer");
                long waitedMillis = TimeUnit.NANOSECONDS.toMillis(answer[1]);
                assertTrue(waitedMillis >= 400 && waitedMillis < 2_000,
                        "answered after about registry.redis.commandTimeout (500 ms), took " + waitedMillis + " ms");
                assertTrue(cachedMillis.size() > 5, "cached requests kept flowing: " + cachedMillis);
                long slowest = cachedMillis.stream().mapToLong(Long::longValue).max().orElseThrow();
                assertTrue(slowest < 250, "no cached request waited on Redis; the slowest took " + slowest + " ms: "
                        + cachedMillis);
            } finally {
                redis.resume();
            }
            registry.put(SandboxRecord.running("later", "127.0.0.1")).join();
            Eventually.await("new sandboxes are found once Redis answers again", Duration.ofSeconds(10), () -> {
                try (RawHttp client = new RawHttp(gateway.port())) {
                    return client.exchange(RawHttp.get(backend.port() + "-later.localhost", "/")).status() == 200;
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }
}
