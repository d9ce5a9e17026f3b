package dev.sandboxgateway.gateway.transport;

import dev.sandboxgateway.config.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringAdaptiveBufferRingAllocator;
import io.netty.channel.uring.IoUringBufferRingConfig;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty transport in use: its event loops, channel types (the datagram one for DNS queries) and
 * the options its sockets need, chosen once at startup.
 */
public record NettyTransport(Transport kind, IoHandlerFactory ioHandlerFactory,
                             Class<? extends ServerSocketChannel> serverChannelType,
                             Class<? extends SocketChannel> socketChannelType,
                             Class<? extends DatagramChannel> datagramChannelType,
                             List<SocketOption<?>> socketOptions) {

    /** Event loops, and the transport whose channels they serve. */
    public record Loops(NettyTransport transport, EventLoopGroup group) {
    }

    private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

    /** The io_uring buffer group every socket reads into; one ring of it per event loop. */
    private static final short BUFFER_GROUP = 0;

    /**
     * Buffers in each event loop's ring at most, and how many are added at a time when it runs
     * short. Sockets share the ring, so an idle connection holds no read buffer at all.
     */
    private static final short BUFFER_RING_SIZE = 512;
    private static final int BUFFER_RING_BATCH = 64;

    /**
     * The most one read takes from a socket. A relayed buffer is sent as it was read, and a send of
     * more than one segmentation-offload packet is what trips the kernel's pacing timer
     * ({@code SendSizeLimit}); Netty's default of 64 KiB is just over what one packet carries.
     */
    static final int MAX_READ_BYTES = 32 * 1024;

    /** Read sizes where the transport allocates a buffer per read (epoll, NIO, io_uring without a ring). */
    private static final SocketOption<RecvByteBufAllocator> READ_SIZES = new SocketOption<>(
            ChannelOption.RECVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ_BYTES));

    public NettyTransport {
        socketOptions = List.copyOf(socketOptions);
    }

    /**
     * The configured transport. {@code auto} picks io_uring where the kernel lets this process use
     * it with buffer rings (Linux 5.19+, io_uring not disabled or filtered by seccomp) and sockets
     * read through them ({@link #readsThroughBufferRing}), then epoll, then NIO. io_uring without
     * buffer rings costs more than epoll per keep-alive request (docs/design-notes.md, "Transport").
     * An explicitly requested native transport that cannot load is an error naming the cause.
     */
    public static NettyTransport select(Transport requested) {
        return candidates(requested).get(0);
    }

    /** What {@code requested} may run on, best first: under {@code auto} every usable transport, else the one named. */
    private static List<NettyTransport> candidates(Transport requested) {
        return switch (requested) {
            case AUTO -> {
                List<NettyTransport> usable = new ArrayList<>(3);
                if (IoUring.isAvailable() && readsThroughBufferRing()) {
                    usable.add(ioUring());
                }
                if (Epoll.isAvailable()) {
                    usable.add(epoll());
                }
                usable.add(nio());
                yield usable;
            }
            case EPOLL -> {
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("server.transport: epoll is not available here: "
                            + Epoll.unavailabilityCause());
                }
                yield List.of(epoll());
            }
            case IO_URING -> {
                if (!IoUring.isAvailable()) {
                    throw new IllegalStateException("server.transport: io_uring is not available here: "
                            + IoUring.unavailabilityCause());
                }
                yield List.of(ioUring());
            }
            case NIO -> List.of(nio());
        };
    }

    /**
     * {@code threads} event loops of the {@code requested} transport ({@link #select}). Under
     * {@code auto}, when the kernel refuses io_uring rings for that many loops (a locked-memory or
     * memory limit that the one-ring probe behind {@link IoUring#isAvailable()} stays under), the
     * loops are made with the next usable transport, epoll else NIO, and the refusal is logged: the
     * default configuration starts wherever the machine can carry traffic. Channels must be of their
     * loops' transport, so everything after this uses the returned one.
     */
    public static Loops newLoops(Transport requested, int threads, String name, Duration ioCoalescing) {
        return newLoops(candidates(requested), threads, name, ioCoalescing);
    }

    /** Loops of the first of {@code candidates} whose loops can be created. */
    static Loops newLoops(List<NettyTransport> candidates, int threads, String name, Duration ioCoalescing) {
        for (int i = 0; ; i++) {
            NettyTransport transport = candidates.get(i);
            try {
                return new Loops(transport, transport.newGroup(threads, name, ioCoalescing));
            } catch (IllegalStateException e) {
                String cause = rootCause(e);
                if (i + 1 == candidates.size()) {
                    throw new IllegalStateException("server.transport: " + threads + " " + transport.kind.wireName()
                            + " event loops cannot be created: " + cause, e);
                }
                log.warn("server.transport auto: {} {} event loops cannot be created ({}); using {}", threads,
                        transport.kind.wireName(), cause, candidates.get(i + 1).kind.wireName());
            }
        }
    }

    private static String rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    private static NettyTransport epoll() {
        return new NettyTransport(Transport.EPOLL, EpollIoHandler.newFactory(),
                EpollServerSocketChannel.class, EpollSocketChannel.class, EpollDatagramChannel.class, List.of(READ_SIZES));
    }

    /**
     * io_uring with a provided buffer ring where sockets can read through one: the kernel picks a
     * buffer when data arrives, so a socket waiting for data holds no buffer of its own.
     */
    private static NettyTransport ioUring() {
        if (!readsThroughBufferRing()) {
            return new NettyTransport(Transport.IO_URING, IoUringIoHandler.newFactory(),
                    IoUringServerSocketChannel.class, IoUringSocketChannel.class, IoUringDatagramChannel.class,
                    List.of(READ_SIZES));
        }
        IoUringBufferRingConfig ring = IoUringBufferRingConfig.builder()
                .bufferGroupId(BUFFER_GROUP)
                .bufferRingSize(BUFFER_RING_SIZE)
                .batchSize(BUFFER_RING_BATCH)
                .allocator(new IoUringAdaptiveBufferRingAllocator(ByteBufAllocator.DEFAULT,
                        IoUringAdaptiveBufferRingAllocator.DEFAULT_MINIMUM,
                        IoUringAdaptiveBufferRingAllocator.DEFAULT_INITIAL, MAX_READ_BYTES))
                .build();
        return new NettyTransport(Transport.IO_URING,
                IoUringIoHandler.newFactory(new IoUringIoHandlerConfig().setBufferRingConfig(ring)),
                IoUringServerSocketChannel.class, IoUringSocketChannel.class, IoUringDatagramChannel.class,
                List.of(new SocketOption<>(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, BUFFER_GROUP)));
    }

    /**
     * Whether sockets read through the event loop's buffer ring: the kernel has rings, and Netty's
     * multishot receive is off. A multishot receive (Netty 4.2.18) keeps reading after a channel's
     * reads are stopped: it takes in whatever the peer sends, and when the ring runs dry it is armed
     * again even with reads stopped. Clients that read nothing of a large download made the gateway
     * hold about 60 MiB each. Without a ring a receive is always one buffer, as it is with the ring and
     * multishot off ({@code -Dio.netty.iouring.recvMultiShotEnabled=false}, which the command line sets).
     */
    static boolean readsThroughBufferRing() {
        return IoUring.isRegisterBufferRingSupported() && !IoUring.isRecvMultishotEnabled();
    }

    private static NettyTransport nio() {
        return new NettyTransport(Transport.NIO, NioIoHandler.newFactory(),
                NioServerSocketChannel.class, NioSocketChannel.class, NioDatagramChannel.class, List.of(READ_SIZES));
    }

    /** Event loops that block whenever they run out of work: for the admin listener and the tools. */
    public EventLoopGroup newGroup(int threads, String name) {
        return newGroup(threads, name, Duration.ZERO);
    }

    /** Event loops that, while loaded, gather I/O for up to {@code ioCoalescing} per pass ({@link CoalescingIoHandler}). */
    public EventLoopGroup newGroup(int threads, String name, Duration ioCoalescing) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true),
                CoalescingIoHandler.factory(ioHandlerFactory, ioCoalescing));
    }

    /** A listener bootstrap of this transport, its accepted sockets set up as the transport needs. */
    public ServerBootstrap serverBootstrap(EventLoopGroup group) {
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(serverChannelType);
        for (SocketOption<?> option : socketOptions) {
            option.applyToAccepted(bootstrap);
        }
        return bootstrap;
    }

    /**
     * Has the kernel hold each connection {@code bootstrap}'s listener accepts until its first bytes
     * arrive, or until {@code wait} has passed (TCP_DEFER_ACCEPT). The first read then finds the request
     * already there instead of arming a wait for it, which is about a tenth of what a connection per
     * request costs the gateway (docs/design-notes.md, "Deferred accept"); a connection that never
     * sends anything costs the gateway nothing for that long.
     *
     * @return false, and {@code bootstrap} unchanged, when this transport cannot set it (NIO)
     */
    public boolean deferAccept(ServerBootstrap bootstrap, Duration wait) {
        ChannelOption<Integer> option = switch (kind) {
            case EPOLL -> EpollChannelOption.TCP_DEFER_ACCEPT;
            case IO_URING -> IoUringChannelOption.TCP_DEFER_ACCEPT;
            default -> null;
        };
        if (option == null) {
            return false;
        }
        bootstrap.option(option, Math.toIntExact(wait.toSeconds()));
        return true;
    }

    /** A client bootstrap of this transport, without a group: callers pick the event loop per connection. */
    public Bootstrap clientBootstrap() {
        Bootstrap bootstrap = new Bootstrap().channel(socketChannelType);
        for (SocketOption<?> option : socketOptions) {
            option.applyTo(bootstrap);
        }
        return bootstrap;
    }
}
