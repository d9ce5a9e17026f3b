package dev.sandboxgateway.gateway.metrics;

import dev.sandboxgateway.routing.resolve.SandboxResolver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * Every meter the gateway publishes. Meters are looked up once here, so the request path only
 * indexes an array: no tag maps or registry lookups per request. No tag ever carries a sandbox id
 * or a path, so the number of series stays bounded. The arrays are indexed by enum ordinal, which
 * is what makes that lookup two loads.
 */
@SuppressWarnings("EnumOrdinal")
public final class GatewayMetrics implements AutoCloseable {

    /** Who produced a response: the sandbox, or the gateway itself (an error page). */
    public enum Source { BACKEND, GATEWAY }

    /** How a backend connection attempt ended. */
    public enum ConnectResult { SUCCESS, REFUSED, TIMEOUT, UNRESOLVED }

    private final MeterRegistry registry;
    private final Timer[][] requests = new Timer[Source.values().length][6];
    private final Timer[] connects = new Timer[ConnectResult.values().length];
    private final Counter reusedConnections;
    private final Counter newConnections;
    private final Counter abortedResponses;
    private @Nullable JvmGcMetrics gcMetrics;

    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
        String[] classes = {"1xx", "1xx", "2xx", "3xx", "4xx", "5xx"};
        for (Source source : Source.values()) {
            for (int i = 1; i < 6; i++) {
                requests[source.ordinal()][i] = Timer.builder("gateway.requests")
                        .description("Requests answered, from head received to response complete")
                        .tag("status", classes[i])
                        .tag("source", source.name().toLowerCase(Locale.ROOT))
                        .register(registry);
            }
        }
        for (ConnectResult result : ConnectResult.values()) {
            connects[result.ordinal()] = Timer.builder("gateway.backend.connect")
                    .description("TCP connects to sandboxes")
                    .tag("result", result.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        reusedConnections = Counter.builder("gateway.backend.requests")
                .description("Requests sent to sandboxes, by whether the connection came from the pool")
                .tag("connection", "reused").register(registry);
        newConnections = Counter.builder("gateway.backend.requests")
                .description("Requests sent to sandboxes, by whether the connection came from the pool")
                .tag("connection", "new").register(registry);
        abortedResponses = Counter.builder("gateway.responses.aborted")
                .description("Responses cut off because the sandbox or the client failed mid-response")
                .register(registry);
    }

    /**
     * Binds JVM and process meters, and the memory of Netty's buffer allocator (direct buffers are
     * outside the heap and its meters: a leak shows here); kept separate so tests can leave them out.
     */
    public GatewayMetrics bindJvm() {
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider allocator) {
            new NettyAllocatorMetrics(allocator).bindTo(registry);
        }
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return this;
    }

    public void bindResolver(SandboxResolver resolver) {
        CaffeineCacheMetrics.monitor(registry, resolver.cache(), "sandboxes");
        lookups("hit", resolver, r -> r.cache().synchronous().stats().hitCount());
        lookups("miss", resolver, r -> r.cache().synchronous().stats().missCount());
        lookups("not_found", resolver, SandboxResolver::notFoundResults);
        lookups("error", resolver, SandboxResolver::failedLookups);
        lookups("stale", resolver, SandboxResolver::staleResults);
    }

    private void lookups(String result, SandboxResolver resolver, ToDoubleFunction<SandboxResolver> count) {
        FunctionCounter.builder("gateway.registry.lookups", resolver, count)
                .description("Sandbox lookups: cache hits and misses, registry answers of not found or error, "
                        + "and records served stale while the registry failed")
                .tag("result", result)
                .register(registry);
    }

    public <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value) {
        Gauge.builder(name, source, value).description(description).register(registry);
    }

    public void request(Source source, int status, long nanos) {
        int statusClass = status / 100;
        if (statusClass < 1 || statusClass > 5) {
            statusClass = 5;
        }
        requests[source.ordinal()][statusClass].record(nanos, TimeUnit.NANOSECONDS);
    }

    public void connect(ConnectResult result, long nanos) {
        connects[result.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
    }

    public void backendRequest(boolean reused) {
        (reused ? reusedConnections : newConnections).increment();
    }

    public void abortedResponse() {
        abortedResponses.increment();
    }

    /** @param result how a configuration reload ended: applied, restart_required, invalid or shutting_down */
    public void configReload(String result) {
        // Rare: looked up when it happens rather than kept per result.
        Counter.builder("gateway.config.reloads")
                .description("Configuration reloads (SIGHUP, POST /v1/reload), by how they ended")
                .tag("result", result).register(registry).increment();
    }

    public MeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        if (gcMetrics != null) {
            gcMetrics.close();
        }
    }
}
