package dev.sandboxgateway.routing.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.registry.ScriptedRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SandboxResolverTest {

    private static final SandboxResolver.Settings SETTINGS = new SandboxResolver.Settings(
            1_000, Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(5));

    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;
    private final ScriptedRegistry registry = new ScriptedRegistry();

    private SandboxResolver resolver(SandboxResolver.Settings settings) {
        return new SandboxResolver(registry, settings, ticker, Runnable::run);
    }

    private void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    private static Optional<SandboxRecord> now(CompletableFuture<Optional<SandboxRecord>> future) {
        assertTrue(future.isDone(), "lookup should be answered from the cache or an in-process registry at once");
        return future.join();
    }

    @Test
    void concurrentLookupsOfOneIdShareOneRegistryCall() {
        registry.put(SandboxRecord.running("abc", "10.0.0.1"));
        CompletableFuture<Void> gate = new CompletableFuture<>();
        registry.gate = gate;
        SandboxResolver resolver = resolver(SETTINGS);
        List<CompletableFuture<Optional<SandboxRecord>>> pending = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            pending.add(resolver.resolve("abc"));
        }
        assertEquals(1, registry.lookups.get());
        assertFalse(pending.get(0).isDone());
        gate.complete(null);
        for (CompletableFuture<Optional<SandboxRecord>> future : pending) {
            assertEquals("10.0.0.1", now(future).orElseThrow().backendHost());
        }
    }

    @Test
    void foundAndNotFoundResultsHaveSeparateLifetimes() {
        registry.put(SandboxRecord.running("abc", "10.0.0.1"));
        SandboxResolver resolver = resolver(new SandboxResolver.Settings(
                1_000, Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofSeconds(120), Duration.ZERO));
        now(resolver.resolve("abc"));
        assertEquals(Optional.empty(), now(resolver.resolve("nope")));
        assertEquals(2, registry.lookups.get());

        advance(Duration.ofSeconds(4));
        now(resolver.resolve("abc"));
        now(resolver.resolve("nope"));
        assertEquals(2, registry.lookups.get(), "both still cached");

        advance(Duration.ofSeconds(2));
        now(resolver.resolve("abc"));
        now(resolver.resolve("nope"));
        assertEquals(3, registry.lookups.get(), "only the not-found entry expired");
        assertEquals(2, resolver.notFoundResults());

        advance(Duration.ofSeconds(60));
        now(resolver.resolve("abc"));
        assertEquals(4, registry.lookups.get(), "the found entry expired after its own TTL");
    }

    @Test
    void retunedLifetimesApplyToEntriesLoadedAfterwards() {
        registry.put(SandboxRecord.running("abc", "10.0.0.1"));
        SandboxResolver resolver = resolver(new SandboxResolver.Settings(
                1_000, Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofSeconds(120), Duration.ZERO));
        now(resolver.resolve("nope"));
        resolver.retune(new SandboxResolver.Settings(
                1_000, Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofSeconds(120), Duration.ZERO));
        now(resolver.resolve("gone"));
        advance(Duration.ofSeconds(2));
        now(resolver.resolve("nope"));
        now(resolver.resolve("gone"));
        assertEquals(3, registry.lookups.get(), "only the entry loaded after the retune took the 1 s lifetime");
    }

    @Test
    void retunedMaximumSizeEvicts() {
        SandboxResolver resolver = resolver(SETTINGS);
        for (int i = 0; i < 100; i++) {
            registry.put(SandboxRecord.running("s" + i, "10.0.0.1"));
            now(resolver.resolve("s" + i));
        }
        resolver.retune(new SandboxResolver.Settings(10, Duration.ofSeconds(60), Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofMinutes(5)));
        long cached = resolver.cache().synchronous().estimatedSize();
        assertTrue(cached <= 10, "cached after shrinking: " + cached);
    }

    @Test
    void usedEntriesAreRefreshedAhead() {
        registry.put(SandboxRecord.running("abc", "10.0.0.1"));
        SandboxResolver resolver = resolver(SETTINGS);
        now(resolver.resolve("abc"));
        registry.putSilently(SandboxRecord.running("abc", "10.0.0.2"));

        advance(Duration.ofSeconds(29));
        assertEquals("10.0.0.1", now(resolver.resolve("abc")).orElseThrow().backendHost());
        assertEquals(1, registry.lookups.get());

        advance(Duration.ofSeconds(2));
        now(resolver.resolve("abc"));
        assertEquals(2, registry.lookups.get(), "an access past refreshAfter reloads in the background");
        assertEquals("10.0.0.2", now(resolver.resolve("abc")).orElseThrow().backendHost());
    }

    @Test
    void changeEventsInvalidateAtOnce() {
        registry.put(SandboxRecord.running("abc", "10.0.0.1"));
        SandboxResolver resolver = resolver(SETTINGS);
        assertEquals("10.0.0.1", now(resolver.resolve("abc")).orElseThrow().backendHost());

        registry.put(SandboxRecord.running("abc", "10.0.0.9"));
        assertEquals("10.0.0.9", now(resolver.resolve("abc")).orElseThrow().backendHost());

        registry.remove("abc");
        assertEquals(Optional.empty(), now(resolver.resolve("abc")));
    }

    @Test
    void resetEventDropsEveryEntry() {
        registry.put(SandboxRecord.running("abc", "10.0.0.1"));
        SandboxResolver resolver = resolver(SETTINGS);
        now(resolver.resolve("abc"));
        registry.putSilently(SandboxRecord.running("abc", "10.0.0.2"));
        assertEquals("10.0.0.1", now(resolver.resolve("abc")).orElseThrow().backendHost());

        registry.fireReset();
        assertEquals("10.0.0.2", now(resolver.resolve("abc")).orElseThrow().backendHost());
    }

    @Test
    void afterAResetARegistryStillSettlingServesTheUnconfirmedRecordStaleInsteadOfFailing() {
        registry.put(SandboxRecord.running("abc", "10.0.0.1"));
        SandboxResolver resolver = resolver(SETTINGS);
        now(resolver.resolve("abc"));
        assertEquals(Optional.empty(), now(resolver.resolve("nope")));

        registry.fireReset();
        registry.failure = new IllegalStateException("registry reconnecting");
        assertEquals("10.0.0.1", now(resolver.resolve("abc")).orElseThrow().backendHost(),
                "unconfirmed, the record is served stale while the registry cannot answer");
        assertEquals(1, resolver.staleResults());
        assertThrows(CompletionException.class, () -> resolver.resolve("nope").join(),
                "a cached absence is not kept: the registry is asked");

        registry.failure = null;
        registry.putSilently(SandboxRecord.running("abc", "10.0.0.3"));
        assertEquals("10.0.0.3", now(resolver.resolve("abc")).orElseThrow().backendHost(),
                "still unconfirmed: the next lookup asks again and takes the answer");
    }

    @Test
    void sizeIsBounded() {
        SandboxResolver resolver = resolver(new SandboxResolver.Settings(
                10, Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofMinutes(5)));
        for (int i = 0; i < 100; i++) {
            registry.put(SandboxRecord.running("id" + i, "10.0.0.1"));
            now(resolver.resolve("id" + i));
        }
        resolver.cache().synchronous().cleanUp();
        assertTrue(resolver.cache().synchronous().estimatedSize() <= 10);
    }

    @Test
    void everyHitIsCountedThoughMostSkipTheEvictionPolicy() {
        registry.put(SandboxRecord.running("abc", "10.0.0.1"));
        SandboxResolver resolver = resolver(SETTINGS);
        for (int i = 0; i < 1_000; i++) {
            now(resolver.resolve("abc"));
        }
        CacheStats stats = resolver.cache().synchronous().stats();
        assertEquals(1, stats.missCount());
        assertEquals(999, stats.hitCount());
    }

    @Test
    void readsStillTellTheEvictionPolicyWhichSandboxesAreHot() {
        SandboxResolver resolver = resolver(SETTINGS);
        registry.put(SandboxRecord.running("hot", "10.0.0.1"));
        now(resolver.resolve("hot"));
        for (int i = 0; i < 20; i++) {
            registry.put(SandboxRecord.running("cold" + i, "10.0.0.1"));
            now(resolver.resolve("cold" + i));
        }
        // The policy hears of a read with probability 1/64: none of 4,000 reaching it has probability (63/64)^4000, 4e-28.
        for (int i = 0; i < 4_000; i++) {
            now(resolver.resolve("hot"));
        }
        Map<String, ?> hottest = resolver.cache().synchronous().policy().eviction().orElseThrow().hottest(1);
        assertEquals(Set.of("hot"), hottest.keySet());
    }

    @Test
    void registryFailuresAreNotCached() {
        SandboxResolver resolver = resolver(SETTINGS);
        registry.failure = new IllegalStateException("registry down");
        CompletionException error = assertThrows(CompletionException.class, () -> resolver.resolve("abc").join());
        assertEquals("registry down", error.getCause().getMessage());
        assertEquals(1, resolver.failedLookups());

        registry.failure = null;
        registry.put(SandboxRecord.running("abc", "10.0.0.1"));
        assertTrue(now(resolver.resolve("abc")).isPresent());
        assertEquals(2, registry.lookups.get());
    }

    @Test
    void duringARegistryOutageKnownSandboxesAreServedStaleForTheGracePeriod() {
        registry.put(SandboxRecord.running("abc", "10.0.0.1"));
        SandboxResolver resolver = resolver(SETTINGS);
        now(resolver.resolve("abc"));
        registry.failure = new IllegalStateException("registry down");

        advance(Duration.ofSeconds(61));
        assertEquals("10.0.0.1", now(resolver.resolve("abc")).orElseThrow().backendHost(), "past its TTL, served stale");
        assertEquals(1, resolver.staleResults());
        assertTrue(resolver.canServe());
        assertThrows(CompletionException.class, () -> resolver.resolve("unknown").join(),
                "an unknown id fails: never 'not found' because the registry was down");

        advance(Duration.ofMinutes(4));
        assertEquals("10.0.0.1", now(resolver.resolve("abc")).orElseThrow().backendHost());
        advance(Duration.ofSeconds(60));
        assertThrows(CompletionException.class, () -> resolver.resolve("abc").join(), "the grace period ended");
    }

    @Test
    void aRecordPastItsTtlIsReloadedBeforeUseWhenTheRegistryAnswers() {
        registry.put(SandboxRecord.running("abc", "10.0.0.1"));
        SandboxResolver resolver = resolver(SETTINGS);
        now(resolver.resolve("abc"));
        registry.putSilently(SandboxRecord.running("abc", "10.0.0.2"));
        advance(Duration.ofSeconds(61));
        assertEquals("10.0.0.2", now(resolver.resolve("abc")).orElseThrow().backendHost());
        assertEquals(0, resolver.staleResults());
    }

    @Test
    void closingStopsListeningToEvents() {
        registry.put(SandboxRecord.running("abc", "10.0.0.1"));
        SandboxResolver resolver = resolver(SETTINGS);
        now(resolver.resolve("abc"));
        resolver.close();
        registry.put(SandboxRecord.running("abc", "10.0.0.2"));
        assertEquals("10.0.0.1", now(resolver.resolve("abc")).orElseThrow().backendHost());
    }
}
