package dev.sandboxgateway.routing.registry;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** A registry held in this process, written through the admin API; its content is lost on restart. */
public final class InMemorySandboxRegistry implements WritableSandboxRegistry {

    private final Map<String, SandboxRecord> records = new ConcurrentHashMap<>();
    private final ListenerSet listeners = new ListenerSet();

    @Override
    public CompletableFuture<Optional<SandboxRecord>> lookup(String sandboxId) {
        return CompletableFuture.completedFuture(Optional.ofNullable(records.get(sandboxId)));
    }

    @Override
    public CompletableFuture<List<SandboxRecord>> list() {
        return CompletableFuture.completedFuture(List.copyOf(records.values()));
    }

    @Override
    public CompletableFuture<Void> put(SandboxRecord record) {
        SandboxRecord previous = records.put(record.id(), record);
        if (!record.equals(previous)) {
            listeners.updated(record);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Boolean> remove(String sandboxId) {
        boolean removed = records.remove(sandboxId) != null;
        if (removed) {
            listeners.removed(sandboxId);
        }
        return CompletableFuture.completedFuture(removed);
    }

    @Override
    public Subscription subscribe(RegistryListener listener) {
        return listeners.add(listener);
    }

    @Override
    public String kind() {
        return "memory";
    }

    @Override
    public void close() {
    }
}
