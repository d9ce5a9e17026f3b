package dev.sandboxgateway.benchmarks.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;

/**
 * Drives one HTTP connection: in a closed loop it sends the next request as soon as a response
 * completes; in an open loop requests become due on a fixed schedule and each latency counts from
 * when its request was due, so time spent waiting for a slow response is not hidden.
 */
final class HttpWorker extends ChannelInboundHandlerAdapter {

    private final LoadRun run;
    private final ArrayDeque<Long> due = new ArrayDeque<>();
    private int host;
    private Channel channel;
    private boolean inFlight;
    private long sentAt;
    private int status;
    private long received;
    private ScheduledFuture<?> ticker;

    /** @param firstHost the host of the connection's first request (its TLS SNI name, when TLS is used) */
    HttpWorker(LoadRun run, int firstHost) {
        this.run = run;
        this.host = firstHost;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        ticker = run.startSending(ctx.executor(), due, () -> inFlight, this::send);
        ctx.fireChannelActive();
    }

    private void send() {
        if (run.stopped() || due.isEmpty() || !channel.isActive()) {
            return;
        }
        inFlight = true;
        sentAt = due.poll();
        status = 0;
        received = 0;
        RequestTemplates requests = run.requests();
        channel.write(requests.head(host));
        ByteBuf body = requests.body();
        if (body != null) {
            channel.write(body);
        }
        channel.flush();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpResponse response) {
                status = response.status().code();
            }
            if (msg instanceof HttpContent content) {
                received += content.content().readableBytes();
                if (content.decoderResult().isFailure()) {
                    run.recorder().failed();
                    ctx.close();
                    return;
                }
                if (content instanceof LastHttpContent) {
                    completed();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void completed() {
        inFlight = false;
        run.recorder().completed(System.nanoTime() - sentAt, status, received, run.requests().size(host));
        run.answered();
        if (run.closeAfterEach()) {
            channel.close();
            return;
        }
        host = run.nextHost();
        if (host == LoadRun.NO_MORE_HOSTS) {
            channel.close();
            return;
        }
        if (run.openLoopPeriodNanos() == 0) {
            due.add(System.nanoTime());
        }
        send();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (ticker != null) {
            ticker.cancel(false);
        }
        if (inFlight) {
            run.recorder().failed();
            run.answered();
        }
        run.connectionEnded();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
