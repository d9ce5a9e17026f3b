package dev.sandboxgateway.routing.resolve;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import dev.sandboxgateway.routing.registry.RegistryListener;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.registry.SandboxRegistry;
import dev.sandboxgateway.routing.registry.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves sandbox ids through a Caffeine cache in front of the registry.
 *
 * <p>Concurrent lookups of one id share one registry call (the cache coalesces loads); found and
 * not-found results live for separate times; entries are refreshed ahead of expiry while they are
 * used; and every registry change event invalidates the entry at once, so TTLs only bound how long
 * a missed event could go unnoticed.
 *
 * <p>When the registry cannot answer, a found record older than its TTL is still served for the
 * stale grace period (counted in {@link #staleResults()}), so an outage of the registry does not
 * become an outage of every sandbox. Unknown ids then fail, which the gateway answers with 503:
 * never "not found" because the registry was down.
 *
 * <p>Most hits read the cache quietly: only one in {@value #POLICY_SAMPLE} tells the eviction
 * policy about the read. Recording a read costs W-TinyLFU a frequency-sketch counter and a move in
 * its access-order and timer-wheel lists, each a cache line of its own; over 100,000 sandboxes those
 * lines are never in the CPU's caches, and together they cost more than the rest of the lookup. A
 * uniform sample keeps the sketch's frequency ordering, which is what eviction needs (Caffeine's own
 * read buffer drops reads under contention for the same reason). Hits are still counted in full, and
 * an entry due for refresh or past its TTL always takes the recorded path.
 */
public final class SandboxResolver implements AutoCloseable {

    /**
     * @param maximumSize  most ids kept
     * @param foundTtl     how long a found record is trusted without an event
     * @param notFoundTtl  how long "no such sandbox" is remembered
     * @param refreshAfter age after which a used entry is reloaded in the background
     * @param staleGrace   how long past its TTL a found record is still served while the registry fails
     */
    public record Settings(long maximumSize, Duration foundTtl, Duration notFoundTtl, Duration refreshAfter,
                           Duration staleGrace) {
    }

    /**
     * A registry answer, with when it was obtained and the completed future every hit hands out.
     * A failed lookup is an entry too, expiring at once: concurrent lookups still share the one
     * failed call, and Caffeine does not log a stack trace for every lookup during an outage.
     */
    private record Entry(Optional<SandboxRecord> record, @Nullable Throwable failure, long loadedNanos,
                         CompletableFuture<Optional<SandboxRecord>> answer) {

        static Entry found(Optional<SandboxRecord> record, long loadedNanos) {
            return new Entry(record, null, loadedNanos, CompletableFuture.completedFuture(record));
        }

        static Entry failed(Throwable failure, long loadedNanos) {
            return new Entry(Optional.empty(), failure, loadedNanos, CompletableFuture.failedFuture(failure));
        }
    }

    private static final Logger log = LoggerFactory.getLogger(SandboxResolver.class);

    /** One hit in this many is recorded in the eviction policy. */
    private static final int POLICY_SAMPLE = 64;

    private final SandboxRegistry registry;
    private final Ticker ticker;
    /** Replaced as a whole by {@link #retune}; each lookup reads it once. */
    private volatile Lifetimes lifetimes;
    private final AsyncLoadingCache<String, Entry> cache;
    private final Policy<String, Entry> policy;
    private final StatsCounter stats = new ConcurrentStatsCounter();
    private final Subscription subscription;
    private final LongAdder registryLookups = new LongAdder();
    private final LongAdder notFound = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder stale = new LongAdder();
    private final AtomicBoolean failing = new AtomicBoolean();

    public SandboxResolver(SandboxRegistry registry, Settings settings) {
        this(registry, settings, Ticker.systemTicker(), Runnable::run);
    }

    /** With an injected clock and executor, so tests control time and run maintenance inline. */
    public SandboxResolver(SandboxRegistry registry, Settings settings, Ticker ticker, Executor executor) {
        this.registry = registry;
        this.ticker = ticker;
        this.lifetimes = Lifetimes.of(settings);
        this.cache = Caffeine.newBuilder()
                .maximumSize(settings.maximumSize())
                .expireAfter(new EntryExpiry())
                .refreshAfterWrite(settings.refreshAfter())
                .ticker(ticker)
                .executor(executor)
                .recordStats(() -> stats)
                .buildAsync(new Loader());
        this.policy = cache.synchronous().policy();
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
                unconfirmAll();
            }
        });
    }

    /**
     * Events may have been missed (the registry's subscription was re-established): nothing cached
     * is confirmed any more. Each record is kept but aged past its TTL, so the next lookup asks the
     * registry and takes its answer, and serves the old record (counted stale, within the stale
     * grace) only if the registry cannot answer; cached absences are dropped. Dropping everything
     * instead turned a registry still settling after a failover into 503s for sandboxes just served.
     */
    private void unconfirmAll() {
        long unconfirmed = ticker.read() - lifetimes.foundTtlNanos() - 1;
        Map<String, Entry> entries = cache.synchronous().asMap();
        for (String id : List.copyOf(entries.keySet())) {
            Entry entry = entries.get(id);
            if (entry == null) {
                continue;
            }
            if (entry.record().isPresent()) {
                // Only if unchanged: an answer loaded meanwhile is newer than the reset and stays.
                entries.replace(id, entry, Entry.found(entry.record(), unconfirmed));
            } else {
                entries.remove(id, entry);
            }
        }
    }

    /**
     * Takes new cache settings without dropping what is cached: the size bound and refresh interval
     * at once, the lifetimes for entries loaded from now on. An entry already cached keeps the
     * lifetime it was given, so the old {@code foundTtl + staleGrace} still bounds it.
     */
    public void retune(Settings settings) {
        lifetimes = Lifetimes.of(settings);
        policy.eviction().ifPresent(eviction -> eviction.setMaximum(settings.maximumSize()));
        policy.refreshAfterWrite().ifPresent(refresh -> refresh.setRefreshesAfter(settings.refreshAfter()));
    }

    /** The record for {@code sandboxId}; empty when it does not exist; failed when the registry could not answer. */
    @SuppressWarnings("ReferenceEquality") // the refresh hands back the very entry it kept when the registry failed
    public CompletableFuture<Optional<SandboxRecord>> resolve(String sandboxId) {
        if (ThreadLocalRandom.current().nextInt(POLICY_SAMPLE) != 0) {
            Entry quiet = policy.getIfPresentQuietly(sandboxId);
            if (quiet != null && ticker.read() - quiet.loadedNanos() < lifetimes.quietHitNanos()) {
                stats.recordHits(1);
                return quiet.answer();
            }
        }
        CompletableFuture<Entry> cached = cache.get(sandboxId);
        if (!cached.isDone()) {
            return cached.thenCompose(Entry::answer);
        }
        Entry entry = cached.join();
        if (entry.record().isEmpty() || ticker.read() - entry.loadedNanos() <= lifetimes.foundTtlNanos()) {
            return entry.answer();
        }
        // Past its TTL: only kept for the grace period. Ask the registry now; serve the stale record only if it fails.
        return cache.synchronous().refresh(sandboxId).thenCompose(fresh -> {
            if (fresh == entry) {
                stale.increment();
            }
            return fresh.answer();
        });
    }

    /** Drops what is cached for {@code sandboxId}: the next lookup asks the registry. */
    public void invalidate(String sandboxId) {
        cache.synchronous().invalidate(sandboxId);
    }

    /** Whether anything can be served: the registry answers, or the cache still holds records. */
    public boolean canServe() {
        return registry.isAvailable() || cache.synchronous().estimatedSize() > 0;
    }

    /** The cache itself, for Micrometer's cache metrics binder. */
    public AsyncLoadingCache<String, ?> cache() {
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

    /** Records served past their TTL because the registry could not be asked. */
    public long staleResults() {
        return stale.sum();
    }

    @Override
    public void close() {
        subscription.close();
    }

    private final class Loader implements AsyncCacheLoader<String, Entry> {

        @Override
        public CompletableFuture<Entry> asyncLoad(String id, Executor executor) {
            registryLookups.increment();
            return registry.lookup(id).handle((record, error) -> {
                if (error != null) {
                    failures.increment();
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    if (failing.compareAndSet(false, true)) {
                        log.warn("the {} registry cannot answer: {}; serving cached sandboxes, unknown ones get 503",
                                registry.kind(), cause.getMessage());
                    }
                    return Entry.failed(cause, ticker.read());
                }
                if (failing.compareAndSet(true, false)) {
                    log.info("the {} registry answers again", registry.kind());
                }
                if (record.isEmpty()) {
                    notFound.increment();
                }
                return Entry.found(record, ticker.read());
            });
        }

        /** A failed refresh keeps the old entry, unchanged: its load time still bounds its life. */
        @Override
        public CompletableFuture<Entry> asyncReload(String id, Entry old, Executor executor) {
            return asyncLoad(id, executor).thenApply(fresh -> fresh.failure() != null ? old : fresh);
        }
    }

    /**
     * The cache settings as the lookups use them.
     *
     * @param foundTtlNanos  how long a found record is served without a registry answer
     * @param quietHitNanos  how long a hit is not recorded in the eviction policy (see POLICY_SAMPLE)
     * @param foundNanos     how long a found record stays cached at all: its TTL plus the stale grace
     * @param notFoundNanos  how long an absence stays cached
     */
    private record Lifetimes(long foundTtlNanos, long quietHitNanos, long foundNanos, long notFoundNanos) {

        static Lifetimes of(Settings settings) {
            long foundTtl = settings.foundTtl().toNanos();
            return new Lifetimes(foundTtl, Math.min(foundTtl, settings.refreshAfter().toNanos()),
                    settings.foundTtl().plus(settings.staleGrace()).toNanos(), settings.notFoundTtl().toNanos());
        }
    }

    /** Entries live from their load time: a failed refresh that keeps an entry does not extend it. */
    private final class EntryExpiry implements Expiry<String, Entry> {

        @Override
        public long expireAfterCreate(String key, Entry entry, long currentTime) {
            if (entry.failure() != null) {
                return 0;
            }
            Lifetimes current = lifetimes;
            long lifetime = entry.record().isPresent() ? current.foundNanos() : current.notFoundNanos();
            return Math.max(0, lifetime - (currentTime - entry.loadedNanos()));
        }

        @Override
        public long expireAfterUpdate(String key, Entry entry, long currentTime, long currentDuration) {
            return expireAfterCreate(key, entry, currentTime);
        }

        @Override
        public long expireAfterRead(String key, Entry entry, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
