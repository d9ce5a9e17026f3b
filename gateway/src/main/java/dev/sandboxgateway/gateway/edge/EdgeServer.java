package dev.sandboxgateway.gateway.edge;

import dev.sandboxgateway.config.CookieSameSite;
import dev.sandboxgateway.config.GatewayConfig;
import dev.sandboxgateway.config.NameServer;
import dev.sandboxgateway.config.Transport;
import dev.sandboxgateway.gateway.backend.BackendNames;
import dev.sandboxgateway.gateway.backend.BackendPool;
import dev.sandboxgateway.gateway.backend.GatewayListeners;
import dev.sandboxgateway.gateway.backend.Http2BackendPool;
import dev.sandboxgateway.gateway.http.ErrorResponses;
import dev.sandboxgateway.gateway.metrics.AccessLog;
import dev.sandboxgateway.gateway.metrics.GatewayMetrics;
import dev.sandboxgateway.gateway.relay.RequestPath;
import dev.sandboxgateway.gateway.request.Admission;
import dev.sandboxgateway.gateway.request.ClientLimits;
import dev.sandboxgateway.gateway.request.HeldRequests;
import dev.sandboxgateway.gateway.request.RoutingDecision;
import dev.sandboxgateway.gateway.request.SandboxOrigins;
import dev.sandboxgateway.gateway.request.TrustedProxies;
import dev.sandboxgateway.gateway.tls.TlsCertificates;
import dev.sandboxgateway.gateway.transport.AckTiming;
import dev.sandboxgateway.gateway.transport.DecodedHeaderNames;
import dev.sandboxgateway.gateway.transport.NettyTransport;
import dev.sandboxgateway.routing.host.HostParser;
import dev.sandboxgateway.routing.policy.PortRanges;
import dev.sandboxgateway.routing.policy.RoutingPolicy;
import dev.sandboxgateway.routing.registry.CidrBlock;
import dev.sandboxgateway.routing.registry.RegistryListener;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.resolve.SandboxResolver;
import dev.sandboxgateway.routing.resolve.SandboxWaker;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public listeners: plain HTTP (HTTP/1.1, and HTTP/2 with prior knowledge when enabled) and,
 * when certificates are given, HTTPS (HTTP/2 or HTTP/1.1 by ALPN). Both relay to sandboxes through
 * the same pools.
 */
public final class EdgeServer {

    private static final Logger log = LoggerFactory.getLogger(EdgeServer.class);

    private final EventLoopGroup group;
    private final NettyTransport transport;
    private final EdgeContext edge;
    private final GatewayConfig.Server settings;
    private final GatewayConfig.Tls tls;
    private final BackendNames backendNames;
    private final BackendPool pool;
    private final Http2BackendPool http2Pool;
    private final EdgePipelines pipelines;
    private final boolean plainAcksDelayed;
    private final HostParser hostParser;
    private final SandboxResolver resolver;
    private final Optional<SandboxWaker> waker;
    private final GatewayMetrics metrics;
    private final HeldRequests held;
    private @Nullable Channel serverChannel;
    private @Nullable Channel tlsServerChannel;

    /**
     * @param waker        wakes paused sandboxes, when {@code wakeUp.url} is set
     * @param certificates what the TLS listener serves, or {@code null} when {@code tls.enabled} is off
     * @param listeners    the gateway's own, filled as they bind: no backend connection may reach them
     */
    public EdgeServer(GatewayConfig config, NettyTransport transport, EventLoopGroup group, HostParser hostParser,
                      SandboxResolver resolver, Optional<SandboxWaker> waker, GatewayMetrics metrics,
                      @Nullable TlsCertificates certificates, GatewayListeners listeners) {
        this.group = group;
        this.transport = transport;
        this.settings = config.server();
        this.tls = config.tls();
        this.backendNames = new BackendNames(transport,
                config.backend().dnsServers().stream().map(NameServer::parse).toList(), config.backend().connectTimeout());
        this.pool = new BackendPool(group, transport, backendNames, config.backend(), listeners, metrics);
        this.http2Pool = new Http2BackendPool(group, transport, backendNames, config.backend(), listeners, metrics);
        this.hostParser = hostParser;
        this.resolver = resolver;
        this.waker = waker;
        this.metrics = metrics;
        this.held = new HeldRequests(config.backend().maxHeldRequests(), config.backend().maxHeldRequestsPerSandbox());
        metrics.gauge("gateway.requests.held", "Requests held while their sandbox's port starts", held,
                HeldRequests::held);
        ClientConnections connections = new ClientConnections();
        this.edge = new EdgeContext(connections, new SandboxConnections(config.limits().maxConnectionsPerSandbox()),
                live(config, null));
        HttpDecoderConfig decoder = DecodedHeaderNames.uncheckedHeaders(new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxInitialLineLength())
                .setMaxHeaderSize(settings.maxHeaderSize())
                .setMaxChunkSize(65536));
        // Only where the HTTP/1.1 decoder is the first to read (it asks for an acknowledgement when it holds
        // part of a request; a PROXY header or an h2c preface would be read by another handler), and on
        // the native transports, which can set it.
        this.plainAcksDelayed = !settings.proxyProtocol() && !config.http2().cleartext()
                && transport.kind() != Transport.NIO;
        this.pipelines = new EdgePipelines(edge, new EdgePipelines.Settings(decoder, settings.maxHeaderCount(),
                settings.proxyProtocol(), config.http2().cleartext(), config.http2().maxConcurrentStreams(),
                config.http2().initialWindowSize(), settings.maxHeaderSize(),
                config.shutdown().drainTimeout(), plainAcksDelayed), certificates);
        metrics.gauge("gateway.connections.active", "Open client connections", connections, ClientConnections::active);
        metrics.gauge("gateway.websocket.tunnels.active", "Open WebSocket tunnels", connections,
                ClientConnections::webSocketTunnels);
    }

    /**
     * The settings a reload may change, built from {@code config}; the rate limiters of
     * {@code previous} are kept (with their counts) when {@code limits.*} did not change.
     */
    private EdgeContext.Live live(GatewayConfig config, @Nullable GatewayConfig previous) {
        TrustedProxies trustedProxies = new TrustedProxies(config.security().trustedProxies().stream()
                .map(CidrBlock::parse).toList());
        RoutingPolicy policy = new RoutingPolicy(PortRanges.parse(config.security().allowedPorts()),
                PortRanges.parse(config.security().deniedPorts()));
        ClientLimits clientLimits = previous != null && previous.limits().equals(config.limits())
                ? edge.limits() : ClientLimits.from(config.limits());
        Admission admission = new Admission(hostParser, policy, trustedProxies, clientLimits,
                config.tls().redirectHttp() ? OptionalInt.of(config.tls().redirectPort()) : OptionalInt.empty());
        SandboxOrigins origins = new SandboxOrigins(config.routing().baseDomains());
        RequestPath requestPath = new RequestPath(admission, resolver, new RoutingDecision(policy, clientLimits, origins,
                config.access().cookie().sameSite() == CookieSameSite.NONE),
                waker, pool, http2Pool, held, origins, new ErrorResponses(), metrics, new AccessLog(config.accessLog().enabled()),
                config.backend(), config.timeouts());
        return new EdgeContext.Live(requestPath, clientLimits, config.timeouts(), config.lifecycle().closeGrace(),
                trustedProxies, config.webSocket().pingInterval());
    }

    /**
     * Applies the settings a reload may change ({@link dev.sandboxgateway.config.ConfigChange}) to
     * requests and connections that start from now on; the caller has refused every other change.
     */
    public void reconfigure(GatewayConfig previous, GatewayConfig next) {
        edge.replace(live(next, previous));
    }

    /** Closes the connections of sandboxes that are removed, stopped or moved: subscribe it to the registry. */
    public RegistryListener sandboxLifecycle() {
        SandboxConnections connections = edge.sandboxConnections();
        return new RegistryListener() {
            @Override
            public void onUpdated(SandboxRecord record) {
                connections.sandboxUpdated(record);
            }

            @Override
            public void onRemoved(String sandboxId) {
                connections.sandboxRemoved(sandboxId);
            }

            @Override
            public void onReset() {
                // Nothing says which sandboxes changed; each request re-resolves, so new requests follow the new records.
            }
        };
    }

    /** Binds the plain listener ({@code server.port}). */
    public InetSocketAddress bind() throws InterruptedException {
        serverChannel = listen(settings.port(), pipelines.plain());
        if (plainAcksDelayed && !AckTiming.delayOnAccepted(serverChannel)) {
            log.warn("server.port {}: the {} transport did not take TCP_QUICKACK; connections acknowledge their "
                    + "first bytes in packets of their own", settings.port(), transport.kind().wireName());
        }
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Binds the TLS listener ({@code tls.port}); only when the server was given certificates. */
    public InetSocketAddress bindTls() throws InterruptedException {
        tlsServerChannel = listen(tls.port(), pipelines.tls());
        return (InetSocketAddress) tlsServerChannel.localAddress();
    }

    private Channel listen(int port, ChannelInitializer<Channel> initializer) throws InterruptedException {
        ServerBootstrap bootstrap = transport.serverBootstrap(group)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                // No TCP_NODELAY option: Netty sets it on every accepted socket already, and setting it
                // again is one more system call per connection.
                .childHandler(initializer);
        Duration deferAccept = settings.deferAccept();
        if (!deferAccept.isZero() && !transport.deferAccept(bootstrap, deferAccept)) {
            log.warn("server.deferAccept: the {} transport cannot defer accepting; connections to port {} are "
                    + "taken before they send anything", transport.kind().wireName(), port);
        }
        return bootstrap.bind(settings.bindAddress(), port).sync().channel();
    }

    /** Stops accepting connections; open ones keep being served. */
    public void stopAccepting() {
        for (Channel listener : new Channel[] {serverChannel, tlsServerChannel}) {
            if (listener != null) {
                listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Lets in-flight requests finish within {@code timeout}, then closes every connection.
     *
     * @return whether every connection finished before the deadline
     */
    public boolean drain(long timeout, TimeUnit unit) {
        stopAccepting();
        pool.closeIdle();
        http2Pool.closeIdle();
        boolean clean = edge.connections().drain(timeout, unit);
        pool.closeIdle();
        http2Pool.closeIdle();
        backendNames.close();
        return clean;
    }

    public int activeConnections() {
        return edge.connections().active();
    }
}
