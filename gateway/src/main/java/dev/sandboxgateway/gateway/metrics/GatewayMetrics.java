package dev.sandboxgateway.gateway.metrics;

import dev.sandboxgateway.routing.policy.GatewayError;
import dev.sandboxgateway.routing.resolve.SandboxResolver;
import dev.sandboxgateway.routing.resolve.SandboxWaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
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
    public enum ConnectResult { SUCCESS, REFUSED, TIMEOUT, UNRESOLVED, GATEWAY }

    /**
     * How a TLS handshake on the edge ended: a small fixed set, so each is one series.
     * {@code NOT_TLS} is a client speaking plain HTTP to the TLS port; {@code CERTIFICATE_REJECTED}
     * a client that refused the served certificate (its alert said so); {@code PROTOCOL_ERROR} any
     * other TLS failure, such as no shared version or cipher.
     */
    public enum TlsHandshake { SUCCESS, TIMEOUT, CLIENT_CLOSED, NOT_TLS, CERTIFICATE_REJECTED, PROTOCOL_ERROR }

    /**
     * How a request held for a port that refused its connection ended: served once the port
     * listened, answered {@code port_not_listening} after the wait, answered at once because as
     * many were held as allowed, or dropped because its client left.
     */
    public enum PortWaitResult { SERVED, TIMED_OUT, OVER_LIMIT, CLIENT_GONE }

    /**
     * Fixed buckets for every duration histogram, so {@code histogram_quantile} works across
     * gateways and restarts: from a pooled relay on a LAN (a millisecond) to a slow sandbox.
     */
    static final Duration[] DURATION_BUCKETS = Stream.of(1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000,
            10_000, 30_000, 60_000).map(Duration::ofMillis).toArray(Duration[]::new);

    private final MeterRegistry registry;
    private final Timer[][] requests = new Timer[Source.values().length][6];
    private final Timer[] connects = new Timer[ConnectResult.values().length];
    private final Counter reusedConnections;
    private final Counter newConnections;
    private final Counter abortedResponses;
    private final Counter[] errors = new Counter[GatewayError.values().length];
    private final Counter[] tlsHandshakes = new Counter[TlsHandshake.values().length];
    private final Counter receivedBytes;
    private final Counter[] portWaits = new Counter[PortWaitResult.values().length];
    private final Counter sentBytes;
    private final Map<String, Counter> configReloads = new ConcurrentHashMap<>();
    private @Nullable JvmGcMetrics gcMetrics;

    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.config()
                // Prometheus's conventions, as promtool checks them: no abbreviated units (ns), no "_count"
                // outside histograms, help text on every metric.
                .meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")))
                .meterFilter(new MeterFilter() {
                    @Override
                    public Meter.Id map(Meter.Id id) {
                        if (id.getName().equals("system.cpu.count")) {
                            return id.withName("system.cpus");
                        }
                        if (id.getName().startsWith("netty.allocator") && id.getDescription() == null) {
                            return new Meter.Id(id.getName(), Tags.of(id.getTags()), id.getBaseUnit(),
                                    "Memory held by Netty's buffer allocator, outside the JVM heap meters when direct",
                                    id.getType());
                        }
                        return id;
                    }
                });
        String[] classes = {"1xx", "1xx", "2xx", "3xx", "4xx", "5xx"};
        for (Source source : Source.values()) {
            for (int i = 1; i < 6; i++) {
                requests[source.ordinal()][i] = Timer.builder("gateway.requests")
                        .description("Requests answered, from head received to response complete")
                        .serviceLevelObjectives(DURATION_BUCKETS)
                        .tag("status", classes[i])
                        .tag("source", source.name().toLowerCase(Locale.ROOT))
                        .register(registry);
            }
        }
        for (ConnectResult result : ConnectResult.values()) {
            connects[result.ordinal()] = Timer.builder("gateway.backend.connect")
                    .description("TCP connects to sandboxes")
                    .serviceLevelObjectives(DURATION_BUCKETS)
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
        for (GatewayError error : GatewayError.values()) {
            errors[error.ordinal()] = Counter.builder("gateway.errors")
                    .description("Responses the gateway made itself, by error code (docs/errors.md)")
                    .tag("code", error.code()).register(registry);
        }
        for (TlsHandshake result : TlsHandshake.values()) {
            tlsHandshakes[result.ordinal()] = Counter.builder("gateway.tls.handshakes")
                    .description("TLS handshakes on the edge, by how they ended")
                    .tag("result", result.name().toLowerCase(Locale.ROOT)).register(registry);
        }
        for (PortWaitResult result : PortWaitResult.values()) {
            portWaits[result.ordinal()] = Counter.builder("gateway.port.waits")
                    .description("Requests held for a port that refused connections (backend.portStartupWait), by outcome")
                    .tag("result", result.name().toLowerCase(Locale.ROOT)).register(registry);
        }
        receivedBytes = Counter.builder("gateway.client.received").baseUnit("bytes")
                .description("Request body and WebSocket bytes received from clients").register(registry);
        sentBytes = Counter.builder("gateway.client.sent").baseUnit("bytes")
                .description("Response body and WebSocket bytes sent to clients").register(registry);
        FunctionCounter.builder("gateway.access.log.dropped", CountingAsyncAppender.class,
                        type -> CountingAsyncAppender.dropped())
                .description("Access log lines dropped because the log's queue was full (a lower bound)")
                .register(registry);
    }

    /** {@code gateway_build_info}: always 1, with the version and the Java runtime as labels. */
    public GatewayMetrics bindBuildInfo(String version) {
        Gauge.builder("gateway.build.info", () -> 1)
                .description("The gateway's version and Java runtime; always 1")
                .tag("version", version)
                .tag("java_version", System.getProperty("java.runtime.version", "unknown"))
                .register(registry);
        return this;
    }

    /** Wake-ups of paused sandboxes, when {@code wakeUp.url} is set. */
    public void bindWaker(SandboxWaker waker) {
        wakeUps("running", waker, SandboxWaker::wakeUpsSucceeded);
        wakeUps("timeout", waker, SandboxWaker::wakeUpsTimedOut);
        wakeUps("failed", waker, SandboxWaker::wakeUpsFailed);
        Gauge.builder("gateway.wakeups.pending", waker, SandboxWaker::wakeUpsPending)
                .description("Sandboxes being woken now").register(registry);
    }

    private void wakeUps(String result, SandboxWaker waker, ToDoubleFunction<SandboxWaker> count) {
        FunctionCounter.builder("gateway.wakeups", waker, count)
                .description("Finished wake-ups of paused sandboxes, by how they ended")
                .tag("result", result).register(registry);
    }

    /**
     * Binds JVM and process meters, and the memory of Netty's buffer allocator (direct buffers are
     * outside the heap and its meters: a leak shows here); kept separate so tests can leave them out.
     */
    public GatewayMetrics bindJvm() {
        FunctionCounter.builder("process.cpu", ManagementFactory.getOperatingSystemMXBean(), GatewayMetrics::cpuSeconds)
                .baseUnit("seconds").description("CPU time the gateway process used").register(registry);
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

    private static double cpuSeconds(OperatingSystemMXBean system) {
        return system instanceof com.sun.management.OperatingSystemMXBean process
                ? process.getProcessCpuTime() / 1e9 : Double.NaN;
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

    /** A gauge whose name gains its unit ({@code seconds}, {@code bytes}) on export. */
    public <T> void gauge(String name, String unit, String description, T source, ToDoubleFunction<T> value) {
        Gauge.builder(name, source, value).baseUnit(unit).description(description).register(registry);
    }

    /** A response the gateway made itself. */
    public void error(GatewayError error) {
        errors[error.ordinal()].increment();
    }

    public void portWait(PortWaitResult result) {
        portWaits[result.ordinal()].increment();
    }

    public void tlsHandshake(TlsHandshake result) {
        tlsHandshakes[result.ordinal()].increment();
    }

    /** Body (or tunnel) bytes of one exchange, each way. */
    public void clientBytes(long received, long sent) {
        if (received > 0) {
            receivedBytes.increment((double) received);
        }
        if (sent > 0) {
            sentBytes.increment((double) sent);
        }
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

    /**
     * Registers a reload counter for each way a reload can end, so each is a series (at 0) before
     * the first reload and {@code increase()} sees the first one.
     */
    public void bindConfigReloads(List<String> results) {
        for (String result : results) {
            configReloads.put(result, Counter.builder("gateway.config.reloads")
                    .description("Configuration reloads (SIGHUP, POST /v1/reload), by how they ended")
                    .tag("result", result).register(registry));
        }
    }

    /** @param result one of those given to {@link #bindConfigReloads} */
    public void configReload(String result) {
        Objects.requireNonNull(configReloads.get(result), result).increment();
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
