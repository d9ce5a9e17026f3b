package dev.sandboxgateway.routing.resolve;

import dev.sandboxgateway.routing.registry.RegistryListener;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.registry.SandboxRegistry;
import dev.sandboxgateway.routing.registry.SandboxState;
import dev.sandboxgateway.routing.registry.Subscription;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes paused sandboxes on demand: the first request to one calls the platform's wake-up URL once,
 * and every request for it waits on the same future until the registry shows the sandbox running
 * (by an event, or by asking the registry again every poll interval, for registries without
 * events), or until the timeout.
 */
public final class SandboxWaker implements AutoCloseable {

    /**
     * @param url          wake-up URL, {@code {id}} replaced by the sandbox id; called with POST
     * @param token        sent as {@code Authorization: Bearer}, or {@code null}
     * @param timeout      how long requests wait for the sandbox to run
     * @param pollInterval how often the registry is asked again while waiting
     */
    public record Settings(@Nullable String url, @Nullable String token, Duration timeout, Duration pollInterval) {
    }

    /** The sandbox did not come up in time, or the wake-up call failed; the message says which. */
    public static final class WakeFailedException extends RuntimeException {

        private static final long serialVersionUID = 1L;
        private final boolean timedOut;

        public WakeFailedException(String message, boolean timedOut) {
            super(message, null, false, false);
            this.timedOut = timedOut;
        }

        public boolean timedOut() {
            return timedOut;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(SandboxWaker.class);

    private final Settings settings;
    private final String url;
    private final SandboxRegistry registry;
    private final SandboxResolver resolver;
    private final HttpClient client;
    private final ScheduledExecutorService scheduler;
    private final Subscription subscription;
    private final Map<String, Wake> pending = new ConcurrentHashMap<>();
    private final LongAdder woken = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder failed = new LongAdder();

    /** One wake-up in progress: its outcome, and the timers that end it. */
    private static final class Wake {
        final CompletableFuture<SandboxRecord> running = new CompletableFuture<>();
        volatile @Nullable ScheduledFuture<?> poll;
        volatile @Nullable ScheduledFuture<?> timeout;
    }

    /** @throws NullPointerException when {@code settings.url()} is null: without a URL there is nothing to call */
    public SandboxWaker(Settings settings, SandboxRegistry registry, SandboxResolver resolver) {
        this.settings = settings;
        this.url = Objects.requireNonNull(settings.url(), "wakeUp.url");
        this.registry = registry;
        this.resolver = resolver;
        this.client = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "sandbox-waker");
            thread.setDaemon(true);
            return thread;
        });
        this.subscription = registry.subscribe(new RegistryListener() {
            @Override
            public void onUpdated(SandboxRecord record) {
                if (record.state() == SandboxState.RUNNING) {
                    woke(record);
                }
            }

            @Override
            public void onRemoved(String sandboxId) {
                Wake wake = pending.get(sandboxId);
                if (wake != null) {
                    fail(sandboxId, wake, new WakeFailedException("sandbox " + sandboxId + " was removed while waking",
                            false));
                }
            }

            @Override
            public void onReset() {
                // Waiting wake-ups poll the registry anyway.
            }
        });
    }

    /** Completes with the running record; every caller for one sandbox shares one wake-up. */
    public CompletableFuture<SandboxRecord> awaitRunning(String sandboxId) {
        Wake[] created = {null};
        Wake wake = pending.computeIfAbsent(sandboxId, id -> created[0] = new Wake());
        if (created[0] != null) {
            start(sandboxId, wake);
        }
        return wake.running;
    }

    private void start(String sandboxId, Wake wake) {
        log.info("waking sandbox {}", sandboxId);
        wake.timeout = scheduler.schedule(() -> fail(sandboxId, wake, new WakeFailedException("sandbox " + sandboxId
                + " did not start running within " + settings.timeout().toMillis() + " ms", true)),
                settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
        long poll = settings.pollInterval().toNanos();
        wake.poll = scheduler.scheduleWithFixedDelay(() -> check(sandboxId), poll, poll, TimeUnit.NANOSECONDS);
        if (wake.running.isDone()) {
            // An event finished it before its timers existed.
            stopTimers(wake);
        }
        URI uri = URI.create(url.replace("{id}", sandboxId));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(settings.timeout())
                .POST(HttpRequest.BodyPublishers.noBody());
        if (settings.token() != null) {
            request.header("Authorization", "Bearer " + settings.token());
        }
        client.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            if (error != null) {
                fail(sandboxId, wake, new WakeFailedException("the wake-up call POST " + uri + " failed: " + error,
                        false));
            } else if (response.statusCode() / 100 != 2) {
                fail(sandboxId, wake, new WakeFailedException("the wake-up call POST " + uri + " answered "
                        + response.statusCode(), false));
            }
        });
    }

    private void check(String sandboxId) {
        registry.lookup(sandboxId).whenComplete((record, error) -> {
            if (error == null && record.isPresent() && record.get().state() == SandboxState.RUNNING) {
                // A registry without events: make the cache see what the lookup saw.
                resolver.invalidate(sandboxId);
                woke(record.get());
            }
        });
    }

    private void woke(SandboxRecord record) {
        Wake wake = pending.remove(record.id());
        if (wake != null) {
            stopTimers(wake);
            woken.increment();
            log.info("sandbox {} is running", record.id());
            wake.running.complete(record);
        }
    }

    /** Fails {@code wake} only if it is still the one in progress, not a later wake-up of the same sandbox. */
    private void fail(String sandboxId, Wake wake, WakeFailedException error) {
        if (pending.remove(sandboxId, wake)) {
            stopTimers(wake);
            (error.timedOut() ? timedOut : failed).increment();
            log.warn("{}", error.getMessage());
            wake.running.completeExceptionally(error);
        }
    }

    private static void stopTimers(Wake wake) {
        ScheduledFuture<?> poll = wake.poll;
        if (poll != null) {
            poll.cancel(false);
        }
        ScheduledFuture<?> timeout = wake.timeout;
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    /** Wake-ups in progress: one per sandbox however many requests wait for it. */
    public int wakeUpsPending() {
        return pending.size();
    }

    /** Wake-ups that saw the sandbox running. */
    public long wakeUpsSucceeded() {
        return woken.sum();
    }

    /** Wake-ups that gave up after {@code wakeUp.timeout}. */
    public long wakeUpsTimedOut() {
        return timedOut.sum();
    }

    /** Wake-ups whose call failed or whose sandbox was removed meanwhile. */
    public long wakeUpsFailed() {
        return failed.sum();
    }

    @Override
    public void close() {
        subscription.close();
        scheduler.shutdownNow();
    }
}
