package dev.sandboxgateway.gateway.request;

import dev.sandboxgateway.routing.registry.SandboxRecord;

/** Where a connection is counted against {@code limits.maxConnectionsPerSandbox}. */
@FunctionalInterface
public interface SandboxSlots {

    /**
     * Counts the connection for {@code sandboxId}, admitted under {@code record}.
     *
     * @return false when that sandbox already has as many connections as it may
     */
    boolean take(String sandboxId, SandboxRecord record);
}
