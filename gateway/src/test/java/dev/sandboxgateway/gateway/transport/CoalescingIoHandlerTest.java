package dev.sandboxgateway.gateway.transport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.config.Transport;
import dev.sandboxgateway.gateway.testing.NativeTransports;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * On every transport: a loop that just handled several I/O events gathers what arrives next for
 * the pause, a loop that handled one blocks as before, and a task from another thread ends a pause.
 * Real sockets on loopback; the pause is long so that "waited for it" and "did not" cannot be confused.
 */
class CoalescingIoHandlerTest {

    /** Under a second, the longest Netty lets a loop with no timers wait. */
    private static final Duration PAUSE = Duration.ofMillis(800);
    private static final int CONNECTIONS = 2 * CoalescingIoHandler.LOADED_PASS_EVENTS;

    private final BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
    private EventLoopGroup serverGroup;
    private EventLoopGroup clientGroup;
    private EventLoop serverLoop;
    private Thread serverThread;
    private Channel server;
    private final List<Channel> clients = new ArrayList<>();

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void ioArrivingRightAfterALoadedPassWaitsForThePause(Transport kind) throws Exception {
        start(kind);
        long loadedPassAt = loadedPass();

        clients.get(0).writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));

        long waited = arrival() - loadedPassAt;
        assertTrue(waited >= PAUSE.toNanos(), "handled " + waited / 1_000_000 + " ms after the loaded pass");
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void ioAfterAQuietPassIsHandledAtOnce(Transport kind) throws Exception {
        start(kind);
        loadedPass();
        clients.get(0).writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
        arrival();

        long sent = System.nanoTime();
        clients.get(0).writeAndFlush(Unpooled.wrappedBuffer(new byte[] {2}));

        long took = arrival() - sent;
        assertTrue(took < PAUSE.toNanos() / 2, "handled " + took / 1_000_000 + " ms after being sent");
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void aTaskFromAnotherThreadEndsThePause(Transport kind) throws Exception {
        start(kind);
        loadedPass();

        long submitted = System.nanoTime();
        long ran = serverLoop.submit(System::nanoTime).get(10, TimeUnit.SECONDS);

        assertTrue(ran - submitted < PAUSE.toNanos() / 2, "ran " + (ran - submitted) / 1_000_000 + " ms after submission");
    }

    private void start(Transport kind) throws Exception {
        NativeTransports.assumeAvailable(kind);
        NettyTransport transport = NettyTransport.select(kind);
        serverGroup = transport.newGroup(1, "coalescing-test", PAUSE);
        clientGroup = transport.newGroup(1, "coalescing-client");
        serverLoop = serverGroup.next();
        serverThread = serverLoop.submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
        CountDownLatch accepted = new CountDownLatch(CONNECTIONS);
        server = transport.serverBootstrap(serverGroup)
                .childHandler(new ArrivalRecorder(accepted))
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        for (int i = 0; i < CONNECTIONS; i++) {
            clients.add(transport.clientBootstrap().group(clientGroup).handler(new ChannelInboundHandlerAdapter())
                    .connect(server.localAddress()).sync().channel());
        }
        assertTrue(accepted.await(10, TimeUnit.SECONDS), "connections accepted");
    }

    /**
     * Holds the server loop in a task while a byte is sent on every connection, so that its next
     * pass handles them all at once; returns once the loop pauses after that pass, so that what the
     * test sends next cannot join the loaded pass itself (io_uring keeps collecting within a pass).
     */
    private long loadedPass() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        serverLoop.execute(() -> {
            held.countDown();
            awaitQuietly(release);
        });
        assertTrue(held.await(10, TimeUnit.SECONDS), "server loop held");
        for (int i = 0; i < CONNECTIONS; i++) {
            clients.get(i).writeAndFlush(Unpooled.wrappedBuffer(new byte[] {0})).sync();
        }
        release.countDown();
        long last = 0;
        for (int i = 0; i < CONNECTIONS; i++) {
            last = arrival();
        }
        awaitPausing();
        return last;
    }

    private long arrival() throws InterruptedException {
        Long at = arrivals.poll(10, TimeUnit.SECONDS);
        assertTrue(at != null, "a byte reached the server within 10 s");
        return at;
    }

    private void awaitPausing() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(LockSupport.getBlocker(serverThread) instanceof CoalescingIoHandler)) {
            assertTrue(System.nanoTime() < deadline, "server loop pausing within 10 s");
            Thread.onSpinWait();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterEach
    void stop() {
        for (Channel channel : clients) {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        for (EventLoopGroup group : new EventLoopGroup[] {clientGroup, serverGroup}) {
            if (group != null) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Notes when each read reached the server, on the server's loop. */
    @ChannelHandler.Sharable
    private final class ArrivalRecorder extends ChannelInboundHandlerAdapter {
        private final CountDownLatch accepted;

        ArrivalRecorder(CountDownLatch accepted) {
            this.accepted = accepted;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            accepted.countDown();
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ((ByteBuf) msg).release();
            arrivals.add(System.nanoTime());
        }
    }
}
