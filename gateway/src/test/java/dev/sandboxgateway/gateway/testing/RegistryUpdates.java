package dev.sandboxgateway.gateway.testing;

import dev.sandboxgateway.routing.registry.RegistryListener;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.registry.SandboxRegistry;
import dev.sandboxgateway.routing.registry.Subscription;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Waits until a gateway's registry has delivered the update events of some ids. A write's own
 * event drops the written id from every gateway's cache, so a test that fills a cache right after
 * a write and then cuts the registry off must first wait for that event, or the entry it filled
 * may be dropped after it. Listeners run in the order they subscribed, so once this one has an
 * event the gateway's resolver, subscribed at start, has had it too. Subscribe before the write.
 */
public final class RegistryUpdates implements AutoCloseable {

    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> allSeen = new CompletableFuture<>();
    private final Subscription subscription;

    private RegistryUpdates(SandboxRegistry registry, String... ids) {
        pending.addAll(Arrays.asList(ids));
        subscription = registry.subscribe(new RegistryListener() {
            @Override
            public void onUpdated(SandboxRecord record) {
                if (pending.remove(record.id()) && pending.isEmpty()) {
                    allSeen.complete(null);
                }
            }

            @Override
            public void onRemoved(String sandboxId) {
            }

            @Override
            public void onReset() {
            }
        });
    }

    /** Starts listening for the update events of these ids on this registry. */
    public static RegistryUpdates expect(SandboxRegistry registry, String... ids) {
        return new RegistryUpdates(registry, ids);
    }

    /** Returns once every expected id's update arrived; fails after the timeout naming the missing ones. */
    public void await(Duration timeout) throws Exception {
        try {
            allSeen.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no update event within " + timeout + " for " + pending, e);
        }
    }

    @Override
    public void close() {
        subscription.close();
    }
}
