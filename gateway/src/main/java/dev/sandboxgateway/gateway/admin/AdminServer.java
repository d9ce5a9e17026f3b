package dev.sandboxgateway.gateway.admin;

import dev.sandboxgateway.gateway.transport.NettyTransport;
import dev.sandboxgateway.routing.registry.SandboxRegistry;
import dev.sandboxgateway.routing.resolve.SandboxResolver;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The admin listener (probes, metrics and the registry API) and the ops listener (probes and
 * metrics only), on one event loop of their own so a busy edge never delays health checks.
 */
public final class AdminServer {

    private final AdminHandler admin;
    private final AdminHandler ops;
    private final NettyTransport transport;
    private final EventLoopGroup group;
    private final List<Channel> channels = new ArrayList<>();

    /** @param resolver the edge's cached resolution, whose entry for a sandbox written here is dropped before the reply */
    public AdminServer(NettyTransport transport, SandboxRegistry registry, SandboxResolver resolver,
                       PrometheusMeterRegistry metrics, BooleanSupplier ready, ReloadOutcome.Reloader reloader,
                       @Nullable String token) {
        this.transport = transport;
        this.group = transport.newGroup(1, "admin");
        this.admin = new AdminHandler(AdminHandler.Endpoints.ALL, registry, resolver, metrics, ready, reloader,
                token);
        this.ops = new AdminHandler(AdminHandler.Endpoints.PROBES_AND_METRICS, registry, resolver, metrics, ready,
                reloader, token);
    }

    /**
     * Listens for the admin API: {@code /healthz}, {@code /readyz}, {@code /metrics},
     * {@code /v1/sandboxes} and {@code /v1/reload}.
     */
    public InetSocketAddress bindAdmin(String address, int port) throws InterruptedException {
        return bind(address, port, admin);
    }

    /** Listens for probes and scrapes only: {@code /healthz}, {@code /readyz} and {@code /metrics}. */
    public InetSocketAddress bindOps(String address, int port) throws InterruptedException {
        return bind(address, port, ops);
    }

    private InetSocketAddress bind(String address, int port, AdminHandler handler) throws InterruptedException {
        Channel channel = transport.serverBootstrap(group)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec());
                        ch.pipeline().addLast(new HttpObjectAggregator(1024 * 1024));
                        ch.pipeline().addLast(handler);
                    }
                })
                .bind(address, port).sync().channel();
        channels.add(channel);
        return (InetSocketAddress) channel.localAddress();
    }

    public void close() {
        for (Channel channel : channels) {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
