package dev.sandboxgateway.routing;

/** Ends a {@link SandboxRegistry#subscribe} registration. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
