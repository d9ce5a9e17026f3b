package dev.sandboxgateway.gateway.edge;

import dev.sandboxgateway.config.GatewayConfig;
import dev.sandboxgateway.gateway.backend.BackendPool;
import dev.sandboxgateway.gateway.metrics.GatewayMetrics;
import dev.sandboxgateway.gateway.transport.NettyTransport;
import dev.sandboxgateway.routing.CidrBlock;
import dev.sandboxgateway.routing.HostParser;
import dev.sandboxgateway.routing.PortRanges;
import dev.sandboxgateway.routing.RegistryListener;
import dev.sandboxgateway.routing.RoutingPolicy;
import dev.sandboxgateway.routing.SandboxRecord;
import dev.sandboxgateway.routing.SandboxResolver;
import dev.sandboxgateway.routing.SandboxWaker;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The public HTTP/1.1 listener: accepts client connections and relays them to sandboxes. */
public final class EdgeServer {

    private final EventLoopGroup group;
    private final NettyTransport transport;
    private final EdgeContext edge;
    private final GatewayConfig.Server settings;
    private final BackendPool pool;
    private final TrustedProxies trustedProxies;
    private Channel serverChannel;

    public EdgeServer(GatewayConfig config, NettyTransport transport, EventLoopGroup group, HostParser hostParser,
                      SandboxResolver resolver, SandboxWaker waker, GatewayMetrics metrics) {
        this.group = group;
        this.transport = transport;
        this.settings = config.server();
        this.pool = new BackendPool(group, transport.socketChannelType(), new BackendPool.Limits(
                config.backend().pool().maxIdlePerBackend(),
                config.backend().pool().maxConnectionsPerBackend(),
                config.backend().pool().idleTimeout().toNanos(),
                config.backend().connectTimeout().toNanos(),
                config.backend().responseTimeout().toNanos(),
                64 * 1024), metrics);
        ClientConnections connections = new ClientConnections();
        this.trustedProxies = new TrustedProxies(config.security().trustedProxies().stream()
                .map(CidrBlock::parse).toList());
        RoutingPolicy policy = new RoutingPolicy(PortRanges.parse(config.security().allowedPorts()),
                PortRanges.parse(config.security().deniedPorts()));
        this.edge = new EdgeContext(hostParser, resolver, policy, pool, new ErrorResponses(), metrics,
                new AccessLog(config.accessLog().enabled()), connections,
                new SandboxConnections(config.limits().maxConnectionsPerSandbox()), trustedProxies,
                ClientLimits.from(config.limits()),
                config.timeouts().requestHeader().toNanos(), config.timeouts().requestBodyIdle().toNanos(),
                config.timeouts().keepAliveIdle().toNanos(),
                config.timeouts().webSocketIdle().toNanos(), config.backend().connectTimeout().toMillis(),
                config.backend().responseTimeout().toMillis(), config.lifecycle().closeGrace().toNanos(), waker);
        metrics.gauge("gateway.connections.active", "Open client connections", connections, ClientConnections::active);
        metrics.gauge("gateway.websocket.tunnels.active", "Open WebSocket tunnels", connections,
                ClientConnections::webSocketTunnels);
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

    public InetSocketAddress bind() throws InterruptedException {
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxInitialLineLength())
                .setMaxHeaderSize(settings.maxHeaderSize())
                .setMaxChunkSize(65536);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelType())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                // No TCP_NODELAY option: Netty sets it on every accepted socket already, and setting it
                // again is one more system call per connection.
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // Named handlers: Netty would otherwise build and check a generated name for
                        // each, on every accepted connection.
                        ClientTimeouts timeouts = new ClientTimeouts(edge);
                        ChannelPipeline pipeline = ch.pipeline();
                        pipeline.addLast("timeouts", timeouts);
                        if (settings.proxyProtocol()) {
                            pipeline.addLast("proxy-protocol-decoder", new HAProxyMessageDecoder());
                            pipeline.addLast("proxy-protocol", new ProxyProtocolHandler(trustedProxies));
                        }
                        pipeline.addLast("http", new StrictHttpServerCodec(decoder, settings.maxHeaderCount()));
                        pipeline.addLast("client", new ClientHandler(edge, timeouts));
                    }
                });
        serverChannel = bootstrap.bind(settings.bindAddress(), settings.port()).sync().channel();
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Stops accepting connections; open ones keep being served. */
    public void stopAccepting() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
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
        boolean clean = edge.connections().drain(timeout, unit);
        pool.closeIdle();
        return clean;
    }

    public int activeConnections() {
        return edge.connections().active();
    }
}
