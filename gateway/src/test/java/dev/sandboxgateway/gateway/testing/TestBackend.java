package dev.sandboxgateway.gateway.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A real sandbox stand-in: a Netty server on a loopback address and an ephemeral port, with its
 * own event loop and its own buffer allocator, so the gateway's buffer use can be measured apart.
 */
public final class TestBackend implements AutoCloseable {

    /** The allocator of every test backend; never the gateway's. */
    public static final PooledByteBufAllocator ALLOCATOR = new PooledByteBufAllocator(true);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Channel> children = new CopyOnWriteArrayList<>();
    private final Channel server;

    private TestBackend(String host, boolean http, Supplier<? extends ChannelHandler> handler) throws InterruptedException {
        this(host, 0, http, handler);
    }

    private TestBackend(String host, int port, boolean http, Supplier<? extends ChannelHandler> handler)
            throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.ALLOCATOR, ALLOCATOR)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.incrementAndGet();
                        children.add(ch);
                        if (http) {
                            ch.pipeline().addLast(new HttpServerCodec());
                        }
                        ch.pipeline().addLast(handler.get());
                    }
                })
                .bind(host, port).sync().channel();
    }

    /** An HTTP backend: each connection gets an {@link HttpServerCodec} and a fresh handler. */
    public static TestBackend http(String host, Supplier<? extends ChannelHandler> handler) throws InterruptedException {
        return new TestBackend(host, true, handler);
    }

    public static TestBackend http(Supplier<? extends ChannelHandler> handler) throws InterruptedException {
        return http("127.0.0.1", handler);
    }

    /** An HTTP backend on loopback {@code port}: one that starts listening on a port chosen earlier. */
    public static TestBackend httpOn(int port, Supplier<? extends ChannelHandler> handler) throws InterruptedException {
        return new TestBackend("127.0.0.1", port, true, handler);
    }

    /** A backend that sees raw bytes, for misbehaving-server cases. */
    public static TestBackend raw(Supplier<? extends ChannelHandler> handler) throws InterruptedException {
        return new TestBackend("127.0.0.1", false, handler);
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Connections accepted since start. */
    public int acceptedConnections() {
        return accepted.get();
    }

    /** Accepted connections that are still open. */
    public long openConnections() {
        return children.stream().filter(Channel::isActive).count();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        // Closed while their loops still run: a close that fails pending writes may finish releasing
        // them in a task of its loop, which a loop already shutting down can drop, leaking the buffers.
        for (Channel child : children) {
            child.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
