package dev.sandboxgateway.gateway;

import dev.sandboxgateway.config.GatewayConfig;
import dev.sandboxgateway.gateway.admin.AdminServer;
import dev.sandboxgateway.gateway.edge.EdgeServer;
import dev.sandboxgateway.gateway.metrics.GatewayMetrics;
import dev.sandboxgateway.gateway.tls.CertificateLoadException;
import dev.sandboxgateway.gateway.tls.TlsCertificates;
import dev.sandboxgateway.gateway.tls.TlsProviders;
import dev.sandboxgateway.gateway.transport.NettyTransport;
import dev.sandboxgateway.routing.FileSandboxRegistry;
import dev.sandboxgateway.routing.HostParser;
import dev.sandboxgateway.routing.HostRules;
import dev.sandboxgateway.routing.HttpSandboxRegistry;
import dev.sandboxgateway.routing.InMemorySandboxRegistry;
import dev.sandboxgateway.routing.LengthRange;
import dev.sandboxgateway.routing.RedisSandboxRegistry;
import dev.sandboxgateway.routing.RegistryFileException;
import dev.sandboxgateway.routing.SandboxRegistry;
import dev.sandboxgateway.routing.SandboxResolver;
import dev.sandboxgateway.routing.SandboxWaker;
import dev.sandboxgateway.routing.Subscription;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.NettyRuntime;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running gateway: the registry, its cache, the edge listener and the admin listener, wired from one config. */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    /** How long the event loops must see no new work before they stop, once every connection is closed. */
    private static final long CLOSE_QUIET_PERIOD_MILLIS = 50;

    private final GatewayConfig config;
    private final SandboxRegistry registry;
    private final SandboxResolver resolver;
    private final Subscription lifecycle;
    private final Optional<SandboxWaker> waker;
    private final GatewayMetrics metrics;
    private final EventLoopGroup group;
    private final EdgeServer edge;
    private final AdminServer admin;
    private final InetSocketAddress edgeAddress;
    private final InetSocketAddress adminAddress;
    private final InetSocketAddress tlsAddress;
    private final ScheduledExecutorService certificateReloads;
    private volatile boolean draining;
    private boolean closed;

    private Gateway(GatewayConfig config, SandboxRegistry registry) throws StartupException, InterruptedException {
        this.config = config;
        this.registry = registry;
        this.resolver = new SandboxResolver(registry, new SandboxResolver.Settings(config.cache().maximumSize(),
                config.cache().foundTtl(), config.cache().notFoundTtl(), config.cache().refreshAfter(),
                config.cache().staleGrace()));
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.metrics = new GatewayMetrics(prometheus).bindJvm();
        metrics.bindResolver(resolver);
        int threads = config.server().ioThreads() == 0 ? NettyRuntime.availableProcessors() : config.server().ioThreads();
        NettyTransport.Loops loops;
        try {
            loops = NettyTransport.newLoops(config.server().transport(), threads, "edge", config.server().ioCoalescing());
        } catch (IllegalStateException e) {
            throw new StartupException(e.getMessage(), e);
        }
        NettyTransport transport = loops.transport();
        this.group = loops.group();
        GatewayConfig.WakeUp wakeUp = config.wakeUp();
        this.waker = wakeUp.url() == null ? Optional.empty() : Optional.of(new SandboxWaker(new SandboxWaker.Settings(
                wakeUp.url(), wakeUp.token(), wakeUp.timeout(), wakeUp.pollInterval()), registry, resolver));
        TlsCertificates certificates = config.tls().enabled() ? loadCertificates(config.tls()) : null;
        this.edge = new EdgeServer(config, transport, group, hostParser(config.routing()), resolver, waker, metrics,
                certificates);
        this.lifecycle = registry.subscribe(edge.sandboxLifecycle());
        try {
            this.edgeAddress = edge.bind();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new StartupException("server.port: cannot listen on " + config.server().bindAddress() + ":"
                    + config.server().port() + ": " + e.getMessage(), e);
        }
        if (certificates != null) {
            try {
                this.tlsAddress = edge.bindTls();
            } catch (RuntimeException e) {
                edge.drain(0, TimeUnit.SECONDS);
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                throw new StartupException("tls.port: cannot listen on " + config.server().bindAddress() + ":"
                        + config.tls().port() + ": " + e.getMessage(), e);
            }
            metrics.gauge("gateway.tls.certificate.expiry", "Seconds until the first served certificate expires",
                    certificates, c -> c.secondsUntilFirstExpiry());
            this.certificateReloads = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "tls-reload");
                thread.setDaemon(true);
                return thread;
            });
            long interval = config.tls().reloadInterval().toMillis();
            certificateReloads.scheduleWithFixedDelay(certificates::reloadIfChanged, interval, interval,
                    TimeUnit.MILLISECONDS);
        } else {
            this.tlsAddress = null;
            this.certificateReloads = null;
        }
        if (config.admin().enabled()) {
            this.admin = new AdminServer(transport, registry, prometheus, this::isReady, config.admin().token());
            try {
                this.adminAddress = admin.bind(config.admin().bindAddress(), config.admin().port());
            } catch (RuntimeException e) {
                edge.drain(0, TimeUnit.SECONDS);
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                admin.close();
                throw new StartupException("admin.port: cannot listen on " + config.admin().bindAddress() + ":"
                        + config.admin().port() + ": " + e.getMessage(), e);
            }
        } else {
            this.admin = null;
            this.adminAddress = null;
        }
        log.info("sandbox gateway listening on http://{}:{}{} ({} transport, {} event loops), base domains {}, "
                        + "{} registry{}", config.server().bindAddress(), edgeAddress.getPort(),
                tlsAddress == null ? "" : " and https://" + config.server().bindAddress() + ":" + tlsAddress.getPort(),
                transport.kind().wireName(), threads, config.routing().baseDomains(), registry.kind(),
                adminAddress == null ? "" : ", admin on http://" + config.admin().bindAddress() + ":" + adminAddress.getPort());
    }

    private static TlsCertificates loadCertificates(GatewayConfig.Tls tls) throws StartupException {
        try {
            SslProvider provider = TlsProviders.select(tls.provider());
            TlsCertificates certificates = TlsCertificates.load(tls.certificates(), provider,
                    Objects.requireNonNullElse(tls.groups(), List.of()), true);
            log.info("TLS by {}, certificates: {}", TlsProviders.describe(provider), certificates.describe());
            return certificates;
        } catch (CertificateLoadException e) {
            throw new StartupException(e.getMessage(), e);
        }
    }

    /** Opens the registry, binds both listeners, and returns once they accept connections. */
    public static Gateway start(GatewayConfig config) throws StartupException, InterruptedException {
        return start(config, openRegistry(config.registry()));
    }

    /** Starts over a registry built by the caller (any backend); the gateway closes it on shutdown. */
    public static Gateway start(GatewayConfig config, SandboxRegistry registry)
            throws StartupException, InterruptedException {
        return new Gateway(config, registry);
    }

    static SandboxRegistry openRegistry(GatewayConfig.Registry settings) throws StartupException {
        switch (settings.type()) {
            case MEMORY:
                return new InMemorySandboxRegistry();
            case REDIS:
                GatewayConfig.Redis redis = settings.redis();
                try {
                    return RedisSandboxRegistry.open(new RedisSandboxRegistry.Settings(redis.uri(), redis.keyPrefix(),
                            redis.commandTimeout()));
                } catch (IllegalArgumentException e) {
                    throw new StartupException("registry.redis.uri: " + e.getMessage(), e);
                }
            case HTTP:
                GatewayConfig.Http http = settings.http();
                GatewayConfig.HttpFields f = http.fields();
                return new HttpSandboxRegistry(new HttpSandboxRegistry.Settings(URI.create(http.baseUrl()),
                        http.pathTemplate(), http.token(), http.timeout(), http.maxConcurrentRequests(),
                        new HttpSandboxRegistry.FieldMapping(f.id(), f.suffix(), f.backendHost(), f.state(),
                                f.allowedPorts(), f.accessToken(), f.labels(), f.allowedClients(),
                                f.maxRequestBodySize())));
            default:
                try {
                    return FileSandboxRegistry.open(Path.of(settings.file()), settings.pollInterval());
                } catch (RegistryFileException e) {
                    throw new StartupException("registry.file: " + e.getMessage(), e);
                }
        }
    }

    static HostParser hostParser(GatewayConfig.Routing routing) {
        Set<String> shared = routing.sharedHosts() == null
                ? HostRules.defaultSharedHosts(routing.baseDomains())
                : new HashSet<>(routing.sharedHosts());
        return new HostParser(new HostRules(routing.baseDomains(), shared,
                new LengthRange(routing.sandboxIdLength().min(), routing.sandboxIdLength().max()),
                new LengthRange(routing.suffixLength().min(), routing.suffixLength().max())));
    }

    public InetSocketAddress edgeAddress() {
        return edgeAddress;
    }

    /** The TLS listener's address, or {@code null} when {@code tls.enabled} is off. */
    public InetSocketAddress tlsAddress() {
        return tlsAddress;
    }

    /** The admin listener's address, or {@code null} when the admin API is disabled. */
    public InetSocketAddress adminAddress() {
        return adminAddress;
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
     * Graceful shutdown: stop accepting, let in-flight requests finish within the configured drain
     * timeout, then close everything.
     *
     * @return whether every in-flight request finished in time
     */
    public synchronized boolean shutdown(Duration drainTimeout) {
        if (closed) {
            return true;
        }
        closed = true;
        draining = true;
        log.info("shutting down: draining {} client connections for up to {} ms", edge.activeConnections(),
                drainTimeout.toMillis());
        boolean clean = edge.drain(drainTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (admin != null) {
            admin.close();
        }
        if (certificateReloads != null) {
            certificateReloads.shutdownNow();
        }
        // A quiet period, not zero: the connections just closed still have io_uring completions in
        // flight (the cancelled receive, sometimes with data). Loops that keep running handle them and
        // deregister the channels, which releases their decoders' buffers; a loop destroyed at once
        // hands that data to a pipeline whose clean-up task it then drops, leaking the buffers.
        group.shutdownGracefully(CLOSE_QUIET_PERIOD_MILLIS, 2000, TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(10, TimeUnit.SECONDS);
        lifecycle.close();
        waker.ifPresent(SandboxWaker::close);
        resolver.close();
        registry.close();
        metrics.close();
        log.info("shutdown complete{}", clean ? "" : " (some connections were cut at the drain deadline)");
        return clean;
    }

    @Override
    public void close() {
        shutdown(config.shutdown().drainTimeout());
    }
}
