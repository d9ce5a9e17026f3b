package dev.sandboxgateway.gateway;

import dev.sandboxgateway.config.ConfigChange;
import dev.sandboxgateway.config.ConfigException;
import dev.sandboxgateway.config.ConfigSource;
import dev.sandboxgateway.config.GatewayConfig;
import dev.sandboxgateway.gateway.admin.AdminServer;
import dev.sandboxgateway.gateway.admin.ReloadOutcome;
import dev.sandboxgateway.gateway.backend.GatewayListeners;
import dev.sandboxgateway.gateway.edge.EdgeServer;
import dev.sandboxgateway.gateway.metrics.GatewayMetrics;
import dev.sandboxgateway.gateway.tls.CertificateLoadException;
import dev.sandboxgateway.gateway.tls.TlsCertificates;
import dev.sandboxgateway.gateway.tls.TlsProviders;
import dev.sandboxgateway.gateway.transport.NettyTransport;
import dev.sandboxgateway.routing.host.HostParser;
import dev.sandboxgateway.routing.host.HostRules;
import dev.sandboxgateway.routing.registry.FileSandboxRegistry;
import dev.sandboxgateway.routing.registry.HttpSandboxRegistry;
import dev.sandboxgateway.routing.registry.InMemorySandboxRegistry;
import dev.sandboxgateway.routing.registry.RedisSandboxRegistry;
import dev.sandboxgateway.routing.registry.RegistryFileException;
import dev.sandboxgateway.routing.registry.SandboxRegistry;
import dev.sandboxgateway.routing.registry.Subscription;
import dev.sandboxgateway.routing.resolve.SandboxResolver;
import dev.sandboxgateway.routing.resolve.SandboxWaker;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.NettyRuntime;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running gateway: the registry, its cache, the edge listener and the admin listener, wired from one config. */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    /** How long the event loops must see no new work before they stop, once every connection is closed. */
    private static final long CLOSE_QUIET_PERIOD_MILLIS = 50;

    private final ConfigSource source;
    /** The configuration in force: the one started with, or the last reload applied. */
    private volatile GatewayConfig config;
    private final SandboxRegistry registry;
    private final SandboxResolver resolver;
    private final GatewayMetrics metrics;
    private final EdgeServer edge;
    private final InetSocketAddress edgeAddress;
    private final @Nullable InetSocketAddress adminAddress;
    private final @Nullable InetSocketAddress opsAddress;
    private final @Nullable InetSocketAddress tlsAddress;
    /**
     * How to close everything opened so far, latest first: the one clean-up path, taken after the
     * drain at shutdown and at once when starting fails half-way.
     */
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private final GatewayListeners listeners = new GatewayListeners();
    private volatile boolean draining;
    private boolean closed;

    private Gateway(ConfigSource source, GatewayConfig config, SandboxRegistry registry)
            throws StartupException, InterruptedException {
        this.source = source;
        this.config = config;
        this.registry = registry;
        opened.push(registry);
        try {
            this.resolver = new SandboxResolver(registry, config.cache());
            opened.push(resolver);
            PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            this.metrics = new GatewayMetrics(prometheus).bindJvm().bindBuildInfo(BuildVersion.current());
            metrics.bindConfigReloads(Arrays.stream(ReloadOutcome.Result.values()).map(Gateway::metricName).toList());
            opened.push(metrics);
            metrics.bindResolver(resolver);
            int threads = config.server().ioThreads() == 0 ? NettyRuntime.availableProcessors()
                    : config.server().ioThreads();
            NettyTransport.Loops loops = newLoops(config.server(), threads);
            EventLoopGroup group = loops.group();
            // A quiet period, not zero: the connections just closed still have io_uring completions in
            // flight (the cancelled receive, sometimes with data). Loops that keep running handle them and
            // deregister the channels, which releases their decoders' buffers; a loop destroyed at once
            // hands that data to a pipeline whose clean-up task it then drops, leaking the buffers.
            opened.push(() -> group.shutdownGracefully(CLOSE_QUIET_PERIOD_MILLIS, 2000, TimeUnit.MILLISECONDS)
                    .awaitUninterruptibly(10, TimeUnit.SECONDS));
            Optional<SandboxWaker> waker = config.wakeUp().url() == null ? Optional.empty()
                    : Optional.of(new SandboxWaker(config.wakeUp(), registry, resolver));
            waker.ifPresent(opened::push);
            waker.ifPresent(metrics::bindWaker);
            @Nullable TlsCertificates certificates = config.tls().enabled()
                    ? loadCertificates(config.tls(), config.http2().enabled()) : null;
            if (certificates != null) {
                opened.push(certificates::close);
            }
            this.edge = new EdgeServer(config, loops.transport(), group, hostParser(config.routing()), resolver, waker,
                    metrics, certificates, listeners);
            opened.push(() -> edge.drain(0, TimeUnit.SECONDS));
            opened.push(registry.subscribe(edge.sandboxLifecycle()));
            this.edgeAddress = listen("server.port", config.server().bindAddress(), config.server().port(),
                    edge::bind);
            this.tlsAddress = certificates == null ? null : listen("tls.port",
                    config.server().bindAddress(), config.tls().port(), edge::bindTls);
            if (certificates != null) {
                metrics.gauge("gateway.tls.certificate.expiry.timestamp", "seconds",
                        "When the first served certificate expires, in seconds since the epoch", certificates,
                        TlsCertificates::firstExpiryEpochSeconds);
                reloadPeriodically(certificates, config.tls().reloadInterval());
            }
            if (config.admin().enabled() || config.ops().enabled()) {
                AdminServer admin = new AdminServer(loops.transport(), registry, resolver, prometheus, this::isReady,
                        this::reload, config.admin().token());
                opened.push(admin::close);
                GatewayConfig.Admin adminSettings = config.admin();
                GatewayConfig.Ops ops = config.ops();
                this.adminAddress = adminSettings.enabled() ? listen("admin.port", adminSettings.bindAddress(),
                        adminSettings.port(), () -> admin.bindAdmin(adminSettings.bindAddress(), adminSettings.port()))
                        : null;
                this.opsAddress = ops.enabled() ? listen("ops.port", ops.bindAddress(), ops.port(),
                        () -> admin.bindOps(ops.bindAddress(), ops.port())) : null;
            } else {
                this.adminAddress = null;
                this.opsAddress = null;
            }
            log.info("sandbox gateway listening on http://{}:{}{} ({} transport, {} event loops), base domains {}, "
                            + "{} registry{}", config.server().bindAddress(), edgeAddress.getPort(),
                    tlsAddress == null ? "" : " and https://" + config.server().bindAddress() + ":" + tlsAddress.getPort(),
                    loops.transport().kind().wireName(), threads, config.routing().baseDomains(), registry.kind(),
                    (adminAddress == null ? "" : ", admin on http://" + config.admin().bindAddress() + ":"
                            + adminAddress.getPort())
                            + (opsAddress == null ? "" : ", ops on http://" + config.ops().bindAddress() + ":"
                            + opsAddress.getPort()));
        } catch (StartupException | InterruptedException | RuntimeException e) {
            closeOpened();
            throw e;
        }
    }

    private static NettyTransport.Loops newLoops(GatewayConfig.Server server, int threads) throws StartupException {
        try {
            return NettyTransport.newLoops(server.transport(), threads, "edge", server.ioCoalescing());
        } catch (IllegalStateException e) {
            throw new StartupException(e.getMessage(), e);
        }
    }

    /** A listener's bind, which names its key when the port cannot be had. */
    private interface Bind {
        InetSocketAddress bind() throws InterruptedException;
    }

    /** Binds a listener, naming {@code key} when the port cannot be had; backend connections may never reach it. */
    private InetSocketAddress listen(String key, String address, int port, Bind bind)
            throws StartupException, InterruptedException {
        try {
            InetSocketAddress bound = bind.bind();
            listeners.add(bound);
            return bound;
        } catch (RuntimeException e) {
            throw new StartupException(key + ": cannot listen on " + address + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private void reloadPeriodically(TlsCertificates certificates, Duration interval) {
        ScheduledExecutorService reloads = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "tls-reload");
            thread.setDaemon(true);
            return thread;
        });
        opened.push(reloads::shutdownNow);
        reloads.scheduleWithFixedDelay(certificates::reloadIfChanged, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Closes everything opened, latest first; one failure does not stop the rest from closing. */
    private void closeOpened() {
        while (!opened.isEmpty()) {
            AutoCloseable resource = opened.pop();
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("closing {} failed", resource, e);
            }
        }
    }

    /** @param http2 whether ALPN offers h2 ({@code http2.enabled}) */
    static TlsCertificates loadCertificates(GatewayConfig.Tls tls, boolean http2) throws StartupException {
        try {
            SslProvider provider = TlsProviders.select(tls.provider());
            TlsCertificates certificates = TlsCertificates.load(tls.certificates(), provider,
                    Objects.requireNonNullElse(tls.groups(), List.of()), http2);
            log.info("TLS by {}, certificates: {}", TlsProviders.describe(provider), certificates.describe());
            return certificates;
        } catch (CertificateLoadException e) {
            throw new StartupException(e.getMessage(), e);
        }
    }

    /**
     * Opens the registry, binds the listeners, and returns once they accept connections; a reload
     * reads {@code source} again.
     */
    public static Gateway start(ConfigSource source, GatewayConfig config) throws StartupException, InterruptedException {
        return new Gateway(source, config, openRegistry(config.registry()));
    }

    /** A gateway built in code: its configuration never changes. */
    public static Gateway start(GatewayConfig config) throws StartupException, InterruptedException {
        return start(ConfigSource.fixed(config), config);
    }

    /** Starts over a registry built by the caller (any backend); the gateway closes it on shutdown. */
    public static Gateway start(ConfigSource source, GatewayConfig config, SandboxRegistry registry)
            throws StartupException, InterruptedException {
        return new Gateway(source, config, registry);
    }

    /** Starts over a registry built by the caller, with a configuration that never changes. */
    public static Gateway start(GatewayConfig config, SandboxRegistry registry)
            throws StartupException, InterruptedException {
        return start(ConfigSource.fixed(config), config, registry);
    }

    /**
     * Reads the configuration again (SIGHUP, {@code POST /v1/reload}) and applies it to new requests
     * when every changed setting can change live ({@link ConfigChange}); otherwise, or when it does
     * not load, nothing changes and the outcome says why.
     */
    public synchronized ReloadOutcome reload() {
        if (closed) {
            return reloaded(new ReloadOutcome(ReloadOutcome.Result.SHUTTING_DOWN, List.of(),
                    "the gateway is shutting down"));
        }
        GatewayConfig next;
        try {
            next = source.load();
        } catch (ConfigException e) {
            return reloaded(new ReloadOutcome(ReloadOutcome.Result.INVALID, List.of(),
                    e.getMessage() + "\nnothing was applied, the running configuration stays"));
        }
        ConfigChange change = ConfigChange.between(config, next);
        if (!change.appliesLive()) {
            return reloaded(new ReloadOutcome(ReloadOutcome.Result.RESTART_REQUIRED, change.changed(),
                    change.refusal()));
        }
        edge.reconfigure(config, next);
        resolver.retune(next.cache());
        retuneRegistry(next.registry());
        config = next;
        return reloaded(new ReloadOutcome(ReloadOutcome.Result.APPLIED, change.changed(),
                change.changed().isEmpty() ? "nothing changed" : "applied " + String.join(", ", change.changed())));
    }

    /** The registry settings a reload may change: how often a file is checked, how long a call may take. */
    private void retuneRegistry(GatewayConfig.Registry next) {
        if (registry instanceof FileSandboxRegistry file && !next.pollInterval().equals(config.registry().pollInterval())) {
            file.pollEvery(next.pollInterval());
        } else if (registry instanceof RedisSandboxRegistry redis) {
            redis.commandTimeout(next.redis().commandTimeout());
        } else if (registry instanceof HttpSandboxRegistry http) {
            http.timeout(next.http().timeout());
        }
    }

    private static String metricName(ReloadOutcome.Result result) {
        return result.name().toLowerCase(Locale.ROOT);
    }

    private ReloadOutcome reloaded(ReloadOutcome outcome) {
        metrics.configReload(metricName(outcome.result()));
        if (outcome.result() == ReloadOutcome.Result.APPLIED) {
            log.info("configuration reloaded: {}", outcome.message());
        } else {
            log.warn("configuration reload refused: {}", outcome.message());
        }
        return outcome;
    }

    static SandboxRegistry openRegistry(GatewayConfig.Registry settings) throws StartupException {
        return switch (settings.type()) {
            case MEMORY -> new InMemorySandboxRegistry();
            case REDIS -> {
                try {
                    yield RedisSandboxRegistry.open(settings.redis());
                } catch (IllegalArgumentException e) {
                    // Errors of the other registry.redis keys name their key; Lettuce's own are about the URI.
                    String message = String.valueOf(e.getMessage());
                    throw new StartupException(message.startsWith("registry.redis.") ? message
                            : "registry.redis.uri: " + message, e);
                }
            }
            case HTTP -> new HttpSandboxRegistry(settings.http());
            case FILE -> {
                try {
                    yield FileSandboxRegistry.open(Path.of(settings.file()), settings.pollInterval());
                } catch (RegistryFileException e) {
                    throw new StartupException("registry.file: " + e.getMessage(), e);
                }
            }
        };
    }

    static HostParser hostParser(GatewayConfig.Routing routing) {
        Set<String> shared = routing.sharedHosts() == null
                ? HostRules.defaultSharedHosts(routing.baseDomains())
                : new HashSet<>(routing.sharedHosts());
        return new HostParser(new HostRules(routing.baseDomains(), shared, routing.sandboxIdLength(),
                routing.suffixLength()));
    }

    public InetSocketAddress edgeAddress() {
        return edgeAddress;
    }

    /** The TLS listener's address, or {@code null} when {@code tls.enabled} is off. */
    public @Nullable InetSocketAddress tlsAddress() {
        return tlsAddress;
    }

    /** The admin listener's address, or {@code null} when the admin API is disabled. */
    public @Nullable InetSocketAddress adminAddress() {
        return adminAddress;
    }

    /** The ops listener's address, or {@code null} when {@code ops.enabled} is off. */
    public @Nullable InetSocketAddress opsAddress() {
        return opsAddress;
    }

    public SandboxRegistry registry() {
        return registry;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    /** Open client connections on the edge listener. */
    public int activeConnections() {
        return edge.activeConnections();
    }

    public boolean isReady() {
        return !draining && resolver.canServe();
    }

    /**
     * Graceful shutdown: report not ready at once, keep serving for {@code shutdown.readinessGrace}
     * while load balancers notice, then stop accepting, let in-flight requests finish within the
     * drain timeout, and close everything.
     *
     * @return whether every in-flight request finished in time
     */
    public boolean shutdown() {
        return shutdown(config.shutdown().drainTimeout());
    }

    /** {@link #shutdown()} with a drain timeout of the caller's. */
    public synchronized boolean shutdown(Duration drainTimeout) {
        if (closed) {
            return true;
        }
        closed = true;
        draining = true;
        Duration readinessGrace = config.shutdown().readinessGrace();
        if (!readinessGrace.isZero()) {
            log.info("shutting down: not ready, still serving for {} ms until load balancers notice",
                    readinessGrace.toMillis());
            try {
                Thread.sleep(readinessGrace.toMillis());
            } catch (InterruptedException e) {
                // Asked to hurry: the drain starts now.
                Thread.currentThread().interrupt();
            }
        }
        log.info("shutting down: draining {} client connections for up to {} ms", edge.activeConnections(),
                drainTimeout.toMillis());
        boolean clean = edge.drain(drainTimeout.toMillis(), TimeUnit.MILLISECONDS);
        closeOpened();
        log.info("shutdown complete{}", clean ? "" : " (some connections were cut at the drain deadline)");
        return clean;
    }

    @Override
    public void close() {
        shutdown();
    }
}
