package dev.sandboxgateway.routing;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

/**
 * Resolves sandbox ids through a Caffeine cache in front of the registry.
 *
 * <p>Concurrent lookups of one id share one registry call (the cache coalesces loads); found and
 * not-found results live for separate times; entries are refreshed ahead of expiry while they are
 * used; and every registry change event invalidates the entry at once, so TTLs only bound how long
 * a missed event could go unnoticed.
 */
public final class SandboxResolver implements AutoCloseable {

    /**
     * @param maximumSize  most ids kept
     * @param foundTtl     how long a found record is trusted without an event
     * @param notFoundTtl  how long "no such sandbox" is remembered
     * @param refreshAfter age after which a used entry is reloaded in the background
     */
    public record Settings(long maximumSize, Duration foundTtl, Duration notFoundTtl, Duration refreshAfter) {
    }

    private final AsyncLoadingCache<String, Optional<SandboxRecord>> cache;
    private final Subscription subscription;
    private final LongAdder registryLookups = new LongAdder();
    private final LongAdder notFound = new LongAdder();
    private final LongAdder failures = new LongAdder();

    public SandboxResolver(SandboxRegistry registry, Settings settings) {
        this(registry, settings, Ticker.systemTicker(), Runnable::run);
    }

    /** With an injected clock and executor, so tests control time and run maintenance inline. */
    public SandboxResolver(SandboxRegistry registry, Settings settings, Ticker ticker, Executor executor) {
        this.cache = Caffeine.newBuilder()
                .maximumSize(settings.maximumSize())
                .expireAfter(new FoundOrNotFoundExpiry(settings.foundTtl(), settings.notFoundTtl()))
                .refreshAfterWrite(settings.refreshAfter())
                .ticker(ticker)
                .executor(executor)
                .recordStats()
                .buildAsync((id, ignored) -> load(registry, id));
        this.subscription = registry.subscribe(new RegistryListener() {
            @Override
            public void onUpdated(SandboxRecord record) {
                cache.synchronous().invalidate(record.id());
            }

            @Override
            public void onRemoved(String sandboxId) {
                cache.synchronous().invalidate(sandboxId);
            }

            @Override
            public void onReset() {
                cache.synchronous().invalidateAll();
            }
        });
    }

    /** The record for {@code sandboxId}; empty when it does not exist; failed when the registry could not answer. */
    public CompletableFuture<Optional<SandboxRecord>> resolve(String sandboxId) {
        return cache.get(sandboxId);
    }

    private CompletableFuture<Optional<SandboxRecord>> load(SandboxRegistry registry, String id) {
        registryLookups.increment();
        return registry.lookup(id).whenComplete((record, error) -> {
            if (error != null) {
                failures.increment();
            } else if (record.isEmpty()) {
                notFound.increment();
            }
        });
    }

    /** The cache itself, for Micrometer's cache metrics binder. */
    public AsyncLoadingCache<String, Optional<SandboxRecord>> cache() {
        return cache;
    }

    /** Calls made to the registry (misses and refreshes). */
    public long registryLookups() {
        return registryLookups.sum();
    }

    /** Registry answers that the sandbox does not exist. */
    public long notFoundResults() {
        return notFound.sum();
    }

    /** Registry calls that failed. */
    public long failedLookups() {
        return failures.sum();
    }

    @Override
    public void close() {
        subscription.close();
    }

    private record FoundOrNotFoundExpiry(Duration found, Duration notFound)
            implements Expiry<String, Optional<SandboxRecord>> {

        @Override
        public long expireAfterCreate(String key, Optional<SandboxRecord> value, long currentTime) {
            return (value.isPresent() ? found : notFound).toNanos();
        }

        @Override
        public long expireAfterUpdate(String key, Optional<SandboxRecord> value, long currentTime,
                                      long currentDuration) {
            return expireAfterCreate(key, value, currentTime);
        }

        @Override
        public long expireAfterRead(String key, Optional<SandboxRecord> value, long currentTime,
                                    long currentDuration) {
            return currentDuration;
        }
    }
}
