package dev.sandboxgateway.routing.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.testing.Eventually;
import dev.sandboxgateway.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Redis registry against a real redis-server: writes, lookups, listing, events between instances, outages. */
class RedisSandboxRegistryTest {

    private static RedisServer redis;
    private static int prefixCounter;

    private RedisSandboxRegistry first;
    private RedisSandboxRegistry second;
    private final BlockingQueue<String> eventsAtSecond = new LinkedBlockingQueue<>();

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @BeforeEach
    void open() {
        // Each test gets its own key space, so tests share one server without seeing each other.
        RedisSandboxRegistry.Settings settings = new RedisSandboxRegistry.Settings(redis.uri(),
                "t" + (++prefixCounter) + ":", Duration.ofSeconds(2));
        first = RedisSandboxRegistry.open(settings);
        second = RedisSandboxRegistry.open(settings);
        second.subscribe(new RegistryListener() {
            @Override
            public void onUpdated(SandboxRecord record) {
                eventsAtSecond.add("updated " + record.id() + " " + record.backendHost());
            }

            @Override
            public void onRemoved(String sandboxId) {
                eventsAtSecond.add("removed " + sandboxId);
            }

            @Override
            public void onReset() {
                eventsAtSecond.add("reset");
            }
        });
    }

    @AfterEach
    void close() {
        first.close();
        second.close();
    }

    private String nextEvent() throws InterruptedException {
        String event = eventsAtSecond.poll(5, TimeUnit.SECONDS);
        assertTrue(event != null, "no event within 5 s");
        return event;
    }

    @Test
    void aNewCommandTimeoutAppliesToTheOpenConnection() {
        Eventually.await("connected", Duration.ofSeconds(10), first::isAvailable);
        first.commandTimeout(Duration.ofMillis(1234));
        assertEquals(Duration.ofMillis(1234), first.currentCommandTimeout());
    }

    @Test
    void recordsWrittenByOneInstanceAreReadByAnother() throws Exception {
        SandboxRecord record = new SandboxRecord("i62mff4ahtrdfdkyn2esc", "b0b684e9", "10.1.2.3", SandboxState.RUNNING,
                Set.of(3000), "tok", Map.of("team", "web"), List.of(CidrBlock.parse("10.0.0.0/8")), 1024L,
                15_000L, List.of("https://ide.example.com"), Map.of("*", "localhost:${port}"));
        first.put(record).join();
        assertEquals(Optional.of(record), second.lookup(record.id()).join());
        assertEquals(Optional.empty(), second.lookup("nosuch").join());
        assertTrue(first.isAvailable() && second.isAvailable());
    }

    @Test
    void changesArePublishedToEveryInstance() throws Exception {
        first.put(SandboxRecord.running("abc", "10.0.0.1")).join();
        assertEquals("updated abc 10.0.0.1", nextEvent());
        first.put(SandboxRecord.running("abc", "10.0.0.2")).join();
        assertEquals("updated abc 10.0.0.2", nextEvent());
        assertTrue(first.remove("abc").join());
        assertEquals("removed abc", nextEvent());
        assertFalse(first.remove("abc").join(), "removing what is not there is no event");
        first.put(SandboxRecord.running("marker", "10.0.0.3")).join();
        assertEquals("updated marker 10.0.0.3", nextEvent());
    }

    @Test
    void listingFindsEveryRecordOfThisPrefixOnly() {
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            writes.add(first.put(SandboxRecord.running("sb" + i, "10.0.0.1")));
        }
        writes.forEach(CompletableFuture::join);
        assertEquals(1200, second.list().join().size());
    }

    @Test
    void aRedisOutageFailsLookupsFastAndAReconnectResetsCaches() throws Exception {
        first.put(SandboxRecord.running("abc", "10.0.0.1")).join();
        assertEquals("updated abc 10.0.0.1", nextEvent());

        redis.kill();
        long start = System.nanoTime();
        CompletionException error = assertThrows(CompletionException.class, () -> second.lookup("abc").join());
        assertTrue(error.getCause() instanceof RegistryUnavailableException, error.toString());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3), "a lookup does not wait for Redis to return");

        redis.restart();
        assertEquals("reset", nextEvent(), "after resubscribing, missed events are made up for by a reset");
        Eventually.await("the registry is available again", Duration.ofSeconds(10), second::isAvailable);
        assertEquals(Optional.empty(), second.lookup("abc").join(), "the restarted Redis is empty");
    }

    @Test
    void aValueThatIsNotARecordIsAnErrorNotAMissingSandbox() throws Exception {
        RedisSandboxRegistry.Settings settings = new RedisSandboxRegistry.Settings(redis.uri(), "bad:", Duration.ofSeconds(2));
        RedisClient client = RedisClient.create(redis.uri());
        try (RedisSandboxRegistry registry = RedisSandboxRegistry.open(settings);
             StatefulRedisConnection<String, String> raw = client.connect()) {
            raw.sync().set("bad:sandbox:abc", "{\"id\":\"abc\"}");
            CompletionException error = assertThrows(CompletionException.class, () -> registry.lookup("abc").join());
            assertTrue(error.getCause().getMessage().contains("not a valid record"), error.getCause().getMessage());
        } finally {
            client.shutdown();
        }
    }
}
