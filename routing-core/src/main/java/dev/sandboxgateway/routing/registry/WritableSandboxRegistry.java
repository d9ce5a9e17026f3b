package dev.sandboxgateway.routing.registry;

import java.util.concurrent.CompletableFuture;

/** A registry the admin API can write to. Writes publish change events to every subscriber. */
public interface WritableSandboxRegistry extends SandboxRegistry {

    CompletableFuture<Void> put(SandboxRecord record);

    /** Completes with {@code true} when a record was removed, {@code false} when there was none. */
    CompletableFuture<Boolean> remove(String sandboxId);
}
