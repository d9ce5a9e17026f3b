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
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/** The admin listener, on its own event loop so a busy edge never delays health checks. */
public final class AdminServer {

    private final AdminHandler handler;
    private final NettyTransport transport;
    private final EventLoopGroup group;
    private @Nullable Channel channel;

    /** @param resolver the edge's cached resolution, whose entry for a sandbox written here is dropped before the reply */
    public AdminServer(NettyTransport transport, SandboxRegistry registry, SandboxResolver resolver,
                       PrometheusMeterRegistry metrics, BooleanSupplier ready, @Nullable String token) {
        this.transport = transport;
        this.group = transport.newGroup(1, "admin");
        this.handler = new AdminHandler(registry, resolver, metrics, ready, token);
    }

    public InetSocketAddress bind(String address, int port) throws InterruptedException {
        channel = transport.serverBootstrap(group)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec());
                        ch.pipeline().addLast(new HttpObjectAggregator(1024 * 1024));
                        ch.pipeline().addLast(handler);
                    }
                })
                .bind(address, port).sync().channel();
        return (InetSocketAddress) channel.localAddress();
    }

    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
