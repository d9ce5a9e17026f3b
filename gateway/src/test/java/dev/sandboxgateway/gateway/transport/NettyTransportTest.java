package dev.sandboxgateway.gateway.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.config.Transport;
import dev.sandboxgateway.gateway.testing.NativeTransports;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each transport carries bytes both ways between a listener and a client it built, set up as it says. */
class NettyTransportTest {

    private static final int SIZE = 4 << 20;

    /** The receive queue of a socket whose reads are stopped: megabytes for a resumed read to find. */
    private static final int QUEUED = 4 << 20;

    /** More than the receive queue (the kernel doubles SO_RCVBUF) and the writer's send buffer (tcp_wmem: 4 MiB) hold. */
    private static final int STOP_TEST_SIZE = 64 << 20;

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void carriesBytesBothWaysOnSocketsSetUpAsTheTransportSays(Transport kind) throws Exception {
        NativeTransports.assumeAvailable(kind);
        NettyTransport transport = NettyTransport.select(kind);
        assertEquals(kind, transport.kind());
        EventLoopGroup group = transport.newGroup(1, "transport-test");
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        Channel server = null;
        Channel client = null;
        try {
            server = transport.serverBootstrap(group)
                    .childHandler(new Echo(accepted))
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            Collector received = new Collector(SIZE);
            client = transport.clientBootstrap().group(group).handler(received)
                    .connect(server.localAddress()).sync().channel();
            byte[] sent = new byte[SIZE];
            new Random(7).nextBytes(sent);
            client.writeAndFlush(Unpooled.wrappedBuffer(sent));

            assertArrayEquals(sent, received.bytes.get(20, TimeUnit.SECONDS));
            // Megabytes in flight grow the reads to their cap, and never past it.
            int largest = client.eventLoop().submit(() -> received.largestRead).get(10, TimeUnit.SECONDS);
            assertTrue(largest <= NettyTransport.MAX_READ_BYTES && largest > NettyTransport.MAX_READ_BYTES / 2,
                    "largest read " + largest + " bytes");
            Channel child = accepted.get(20, TimeUnit.SECONDS);
            assertInstanceOf(transport.socketChannelType(), child);
            assertInstanceOf(transport.socketChannelType(), client);
            for (SocketOption<?> option : transport.socketOptions()) {
                assertEquals(option.value(), child.config().getOption(option.option()), "accepted " + option.option());
                assertEquals(option.value(), client.config().getOption(option.option()), "connected " + option.option());
            }
        } finally {
            if (client != null) {
                client.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
            if (server != null) {
                server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void aSocketWhoseReadsAreStoppedReadsNoFurther(Transport kind) throws Exception {
        NativeTransports.assumeAvailable(kind);
        NettyTransport transport = NettyTransport.select(kind);
        EventLoopGroup group = transport.newGroup(1, "stop-test");
        ExecutorService writing = Executors.newSingleThreadExecutor();
        StopOnEveryRead reader = new StopOnEveryRead();
        Channel server = null;
        try (Socket writer = new Socket()) {
            server = transport.serverBootstrap(group).childHandler(reader)
                    .childOption(ChannelOption.SO_RCVBUF, QUEUED)
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            writer.connect(server.localAddress());
            Future<?> wroteAll = writing.submit(() -> {
                byte[] piece = new byte[64 * 1024];
                for (int sent = 0; sent < STOP_TEST_SIZE; sent += piece.length) {
                    writer.getOutputStream().write(piece);
                }
                return null;
            });
            assertTrue(reader.stops.tryAcquire(20, TimeUnit.SECONDS), "nothing arrived");
            // With reads stopped the socket's receive queue fills up and the writer must wait; a socket
            // that kept reading would take all 64 MiB in well under this.
            assertThrows(TimeoutException.class, () -> wroteAll.get(2, TimeUnit.SECONDS),
                    "the writer sent everything to a socket whose reads were stopped");

            // Resumed with megabytes queued, as a relay resumes when its other side drains, and stopped
            // again by the first read.
            Channel accepted = reader.channel;
            accepted.eventLoop().execute(() -> accepted.config().setAutoRead(true));
            assertTrue(reader.stops.tryAcquire(20, TimeUnit.SECONDS), "reads did not resume");
            assertThrows(TimeoutException.class, () -> wroteAll.get(2, TimeUnit.SECONDS),
                    "the writer sent everything after reads were stopped again");
            long readWhileStopped = accepted.eventLoop().submit(() -> reader.readWhileStopped).get(10, TimeUnit.SECONDS);
            assertTrue(readWhileStopped <= NettyTransport.MAX_READ_BYTES,
                    readWhileStopped + " bytes read while reads were stopped");
        } finally {
            writing.shutdownNow();
            if (server != null) {
                server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theTestRunReadsAsTheCommandLineSetsNetty() {
        assertFalse(IoUring.isRecvMultishotEnabled(), "the surefire argLine turns multishot receives off as NettyDefaults does");
    }

    @Test
    void autoPicksIoUringWhereSocketsReadThroughBufferRingsElseEpoll() {
        boolean ioUringWithRings = IoUring.isAvailable() && IoUring.isRegisterBufferRingSupported()
                && !IoUring.isRecvMultishotEnabled();
        Transport expected = ioUringWithRings ? Transport.IO_URING : Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO;
        assertEquals(expected, NettyTransport.select(Transport.AUTO).kind());
    }

    @Test
    void autoFallsBackToTheNextTransportWhenTheKernelRefusesTheLoopsRings() throws Exception {
        NettyTransport.Loops loops = NettyTransport.newLoops(
                List.of(refusedIoUring(), NettyTransport.select(Transport.NIO)), 2, "fallback-test", Duration.ZERO);
        try {
            assertEquals(Transport.NIO, loops.transport().kind());
            assertEquals("ran", loops.group().submit(() -> "ran").get(10, TimeUnit.SECONDS));
        } finally {
            loops.group().shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void loopsThatCannotBeCreatedFailNamingTheSettingAndTheKernelsAnswer() {
        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> NettyTransport.newLoops(List.of(refusedIoUring()), 2, "refused-test", Duration.ZERO));
        assertEquals("server.transport: 2 io_uring event loops cannot be created: io_uring_register: Cannot allocate memory",
                error.getMessage());
    }

    /** Refuses every loop as IoUringIoHandler does when the kernel will not register its buffer ring. */
    private static NettyTransport refusedIoUring() {
        IoHandlerFactory refusing = executor -> {
            throw new UncheckedIOException(new IOException("io_uring_register: Cannot allocate memory"));
        };
        return new NettyTransport(Transport.IO_URING, refusing, NioServerSocketChannel.class, NioSocketChannel.class,
                NioDatagramChannel.class, List.of());
    }

    @Test
    void ioUringReadsThroughABufferRingWhereTheKernelHasThem() {
        NativeTransports.assumeAvailable(Transport.IO_URING);
        NettyTransport transport = NettyTransport.select(Transport.IO_URING);
        boolean ring = transport.socketOptions().stream()
                .anyMatch(option -> option.option() == IoUringChannelOption.IO_URING_BUFFER_GROUP_ID);
        assertEquals(IoUring.isRegisterBufferRingSupported() && !IoUring.isRecvMultishotEnabled(), ring);
    }

    /** Stops reading at every read it is handed while reading, and counts the bytes it is handed while stopped. */
    private static final class StopOnEveryRead extends ChannelInboundHandlerAdapter {
        final Semaphore stops = new Semaphore(0);
        volatile Channel channel;
        long readWhileStopped;

        @Override
        public boolean isSharable() {
            return true;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            if (ctx.channel().config().isAutoRead()) {
                channel = ctx.channel();
                ctx.channel().config().setAutoRead(false);
                stops.release();
            } else {
                readWhileStopped += buf.readableBytes();
            }
            buf.release();
        }
    }

    /** Writes back whatever arrives, flushing once per read burst. */
    private static final class Echo extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Channel> accepted;

        Echo(CompletableFuture<Channel> accepted) {
            this.accepted = accepted;
        }

        @Override
        public boolean isSharable() {
            return true;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            accepted.complete(ctx.channel());
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    /** Copies what arrives until {@code expected} bytes are in. */
    private static final class Collector extends ChannelInboundHandlerAdapter {
        final CompletableFuture<byte[]> bytes = new CompletableFuture<>();
        private final byte[] into;
        private int filled;
        int largestRead;

        Collector(int expected) {
            this.into = new byte[expected];
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                largestRead = Math.max(largestRead, buf.readableBytes());
                int n = Math.min(buf.readableBytes(), into.length - filled);
                buf.readBytes(into, filled, n);
                filled += n;
                if (filled == into.length) {
                    bytes.complete(into);
                }
            } finally {
                buf.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            bytes.completeExceptionally(cause);
        }
    }
}
