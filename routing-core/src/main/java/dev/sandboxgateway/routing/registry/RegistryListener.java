package dev.sandboxgateway.routing.registry;

/**
 * Receives registry changes. Called on the registry's own thread; implementations must be quick
 * and thread-safe (hand work to an event loop rather than doing it inline).
 */
public interface RegistryListener {

    /** A sandbox was added or any of its fields changed. */
    void onUpdated(SandboxRecord record);

    /** A sandbox no longer exists. */
    void onRemoved(String sandboxId);

    /** Any record may have changed without individual events (a reload, or a reconnect after missed messages). */
    void onReset();
}
