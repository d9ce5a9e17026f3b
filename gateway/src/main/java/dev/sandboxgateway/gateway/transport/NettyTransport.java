package dev.sandboxgateway.gateway.transport;

import dev.sandboxgateway.config.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** The Netty transport in use: its event loops and channel types, chosen once at startup. */
public record NettyTransport(Transport kind, IoHandlerFactory ioHandlerFactory,
                             Class<? extends ServerSocketChannel> serverChannelType,
                             Class<? extends SocketChannel> socketChannelType) {

    /**
     * The configured transport; {@code auto} picks epoll where it loads and NIO otherwise. An
     * explicitly requested native transport that cannot load is an error naming the cause.
     */
    public static NettyTransport select(Transport requested) {
        switch (requested) {
            case AUTO:
                return Epoll.isAvailable() ? epoll() : nio();
            case EPOLL:
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("server.transport: epoll is not available here: "
                            + Epoll.unavailabilityCause());
                }
                return epoll();
            case IO_URING:
                if (!IoUring.isAvailable()) {
                    throw new IllegalStateException("server.transport: io_uring is not available here: "
                            + IoUring.unavailabilityCause());
                }
                return new NettyTransport(Transport.IO_URING, IoUringIoHandler.newFactory(),
                        IoUringServerSocketChannel.class, IoUringSocketChannel.class);
            default:
                return nio();
        }
    }

    private static NettyTransport epoll() {
        return new NettyTransport(Transport.EPOLL, EpollIoHandler.newFactory(),
                EpollServerSocketChannel.class, EpollSocketChannel.class);
    }

    private static NettyTransport nio() {
        return new NettyTransport(Transport.NIO, NioIoHandler.newFactory(),
                NioServerSocketChannel.class, NioSocketChannel.class);
    }

    public EventLoopGroup newGroup(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), ioHandlerFactory);
    }
}
