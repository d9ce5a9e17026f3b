package dev.sandboxgateway.routing.registry;

/** Ends a {@link SandboxRegistry#subscribe} registration. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
