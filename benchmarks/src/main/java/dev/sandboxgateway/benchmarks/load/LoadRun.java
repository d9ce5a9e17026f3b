package dev.sandboxgateway.benchmarks.load;

import dev.sandboxgateway.config.Transport;
import dev.sandboxgateway.gateway.transport.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLException;
import org.HdrHistogram.Histogram;

/** One load run: opens the connections, keeps them busy for warm-up and measurement, and reports. */
final class LoadRun {

    private final LoadOptions options;
    private final RequestTemplates requests;
    private final LatencyRecorder recorder = new LatencyRecorder();
    private final NettyTransport transport = loadTransport();
    private final EventLoopGroup group;
    private final ChannelGroup channels = new DefaultChannelGroup("load", GlobalEventExecutor.INSTANCE);
    private final InetSocketAddress address;
    private final long openLoopPeriodNanos;
    private final ByteBuf wsPayload;
    private final AtomicInteger nextHost = new AtomicInteger();
    /** Requests of a --passes run not yet answered (or failed); the run ends when it reaches zero. */
    private final CountDownLatch unanswered;
    private final ClientTls tls;
    private volatile boolean stopped;

    LoadRun(LoadOptions options) throws SSLException {
        this.options = options;
        String scheme = options.target().getScheme();
        this.tls = "https".equalsIgnoreCase(scheme) || "wss".equalsIgnoreCase(scheme) ? new ClientTls() : null;
        this.requests = new RequestTemplates(options);
        this.group = transport.newGroup(options.threads(), "loadgen");
        this.address = new InetSocketAddress(options.target().getHost(), options.target().getPort());
        this.unanswered = new CountDownLatch(options.passes() * options.hosts().size());
        this.openLoopPeriodNanos = options.rate() > 0 ? (long) (1e9 * options.connections() / options.rate()) : 0;
        this.wsPayload = Unpooled.unreleasableBuffer(Unpooled.directBuffer(options.bodySize())
                .writeZero(options.bodySize()));
        if (options.rate() > 0 && options.mode() == LoadOptions.Mode.CLOSE) {
            throw new IllegalArgumentException("--rate works with keepalive and websocket modes");
        }
    }

    /**
     * epoll where it loads, else NIO: the load side stays the same whatever the gateway under test
     * picks, so results from before and after the gateway moved to io_uring offer it the same load.
     */
    static NettyTransport loadTransport() {
        return NettyTransport.select(Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO);
    }

    LoadOptions options() {
        return options;
    }

    RequestTemplates requests() {
        return requests;
    }

    LatencyRecorder recorder() {
        return recorder;
    }

    long openLoopPeriodNanos() {
        return openLoopPeriodNanos;
    }

    /**
     * Makes a connection's first request due now and, in an open loop, one more every period from
     * now, sending whenever the connection is not already waiting for a response.
     *
     * @return the open loop's ticker, to cancel when the connection closes; null in a closed loop
     */
    ScheduledFuture<?> startSending(EventExecutor executor, ArrayDeque<Long> due, BooleanSupplier inFlight,
                                    Runnable send) {
        if (openLoopPeriodNanos == 0) {
            due.add(System.nanoTime());
            send.run();
            return null;
        }
        long start = System.nanoTime();
        long[] tick = {0};
        return executor.scheduleAtFixedRate(() -> {
            due.add(start + tick[0]++ * openLoopPeriodNanos);
            if (!inFlight.getAsBoolean()) {
                send.run();
            }
        }, 0, openLoopPeriodNanos, TimeUnit.NANOSECONDS);
    }

    boolean closeAfterEach() {
        return options.mode() == LoadOptions.Mode.CLOSE;
    }

    boolean stopped() {
        return stopped;
    }

    /**
     * The host of the next request (or WebSocket connection): one sequence shared by every
     * connection, so each pass over the list names every host once whatever the number of
     * connections, and a long host list is covered in full rather than only its first stretch.
     */
    int nextHost() {
        int next = nextHost.getAndIncrement();
        if (options.passes() > 0 && (next < 0 || next >= options.passes() * requests.hostCount())) {
            nextHost.set(Integer.MIN_VALUE); // stays negative: no wrap-around after a long run
            return NO_MORE_HOSTS;
        }
        return Math.floorMod(next, requests.hostCount());
    }

    /** What {@link #nextHost()} answers once every pass of a --passes run was handed out. */
    static final int NO_MORE_HOSTS = -1;

    /** A request of a --passes run was answered or failed. */
    void answered() {
        unanswered.countDown();
    }

    /** A connection closed; while the run goes on (and has hosts left to ask), another takes its place. */
    void connectionEnded() {
        if (!stopped && (options.passes() == 0 || nextHost.get() >= 0)) {
            group.next().schedule(this::connect, closeAfterEach() ? 0 : 10, TimeUnit.MILLISECONDS);
        }
    }

    private void connect() {
        if (stopped) {
            return;
        }
        int host = nextHost();
        if (host == NO_MORE_HOSTS) {
            return;
        }
        new Bootstrap()
                .group(group)
                .channel(transport.socketChannelType())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        channels.add(ch);
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), options.hosts().get(host)));
                        }
                        ch.pipeline().addLast(new HttpResponseDecoder(new HttpDecoderConfig().setMaxChunkSize(1 << 20)));
                        ch.pipeline().addLast(options.mode() == LoadOptions.Mode.WEBSOCKET
                                ? new WebSocketWorker(LoadRun.this, options.hosts().get(host), wsPayload)
                                : new HttpWorker(LoadRun.this, host));
                    }
                })
                .connect(address)
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        recorder.failed();
                        answered();
                        connectionEnded();
                    }
                });
    }

    Report execute(PrintStream progress) throws InterruptedException {
        if (options.warmup().isZero()) {
            recorder.startMeasuring(); // before the first answer, which a primed server sends at once
        }
        for (int i = 0; i < options.connections(); i++) {
            connect();
        }
        if (!options.warmup().isZero()) {
            sleepUntil(System.nanoTime() + options.warmup().toNanos());
            recorder.startMeasuring();
        }
        long start = System.nanoTime();
        long end = start + options.duration().toNanos();
        long second = 1;
        recorder.interval();
        while (System.nanoTime() < end && !(options.passes() > 0 && unanswered.getCount() == 0)) {
            awaitUntil(Math.min(end, start + TimeUnit.SECONDS.toNanos(second)));
            Histogram interval = recorder.interval();
            double seconds = (interval.getEndTimeStamp() - interval.getStartTimeStamp()) / 1000.0;
            progress.printf("%s%4ds  %,10.0f req/s  p50 %7.3f ms  p99 %7.3f ms  errors %d%n",
                    options.label().isEmpty() ? "" : "[" + options.label() + "] ", second,
                    interval.getTotalCount() / Math.max(seconds, 1e-3),
                    interval.getValueAtPercentile(50) / 1000.0, interval.getValueAtPercentile(99) / 1000.0,
                    recorder.errors());
            second++;
        }
        long elapsed = System.nanoTime() - start;
        recorder.stopMeasuring();
        recorder.interval();
        stopped = true;
        Report report = Report.of(options, recorder, elapsed);
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        requests.release();
        wsPayload.unwrap().release();
        return report;
    }

    /** Sleeps until the deadline, or until a --passes run has its last answer. */
    private void awaitUntil(long deadline) throws InterruptedException {
        long remaining = deadline - System.nanoTime();
        if (remaining > 0 && options.passes() > 0) {
            unanswered.await(remaining, TimeUnit.NANOSECONDS);
        } else {
            sleepUntil(deadline);
        }
    }

    private static void sleepUntil(long deadline) throws InterruptedException {
        long remaining;
        while ((remaining = deadline - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(remaining);
        }
    }
}
