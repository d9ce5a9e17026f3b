package dev.sandboxgateway.routing.registry;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The source of truth for where sandboxes are. Lookups are asynchronous so that remote backends
 * (Redis, an orchestrator's HTTP API) never block an event loop; in-process backends answer with
 * completed futures. A failed future means the registry could not answer, which is different from
 * an empty result (the sandbox does not exist).
 */
public interface SandboxRegistry extends AutoCloseable {

    CompletableFuture<Optional<SandboxRecord>> lookup(String sandboxId);

    CompletableFuture<List<SandboxRecord>> list();

    /** Registers for change events; events published by other gateways arrive here too. */
    Subscription subscribe(RegistryListener listener);

    /** A short name for logs and the admin API: {@code file}, {@code memory}. */
    String kind();

    /** Whether the registry can currently answer lookups. */
    default boolean isAvailable() {
        return true;
    }

    @Override
    void close();
}
