package dev.sandboxgateway.routing.registry;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registry that counts lookups, can hold or fail them, and can change a record without an
 * event (as if the event was lost), to observe what the cache asks for.
 */
public final class ScriptedRegistry implements WritableSandboxRegistry {

    private final Map<String, SandboxRecord> records = new ConcurrentHashMap<>();
    private final ListenerSet listeners = new ListenerSet();
    public final AtomicInteger lookups = new AtomicInteger();
    public volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
    public volatile RuntimeException failure;

    @Override
    public CompletableFuture<Optional<SandboxRecord>> lookup(String sandboxId) {
        lookups.incrementAndGet();
        RuntimeException fail = failure;
        if (fail != null) {
            return CompletableFuture.failedFuture(fail);
        }
        return gate.thenApply(ignored -> Optional.ofNullable(records.get(sandboxId)));
    }

    public void putSilently(SandboxRecord record) {
        records.put(record.id(), record);
    }

    public void fireReset() {
        listeners.reset();
    }

    @Override
    public CompletableFuture<List<SandboxRecord>> list() {
        return CompletableFuture.completedFuture(List.copyOf(records.values()));
    }

    @Override
    public Subscription subscribe(RegistryListener listener) {
        return listeners.add(listener);
    }

    @Override
    public CompletableFuture<Void> put(SandboxRecord record) {
        records.put(record.id(), record);
        listeners.updated(record);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Boolean> remove(String sandboxId) {
        boolean removed = records.remove(sandboxId) != null;
        listeners.removed(sandboxId);
        return CompletableFuture.completedFuture(removed);
    }

    @Override
    public String kind() {
        return "scripted";
    }

    @Override
    public void close() {
    }
}
