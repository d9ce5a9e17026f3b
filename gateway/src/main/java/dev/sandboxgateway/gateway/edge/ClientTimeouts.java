package dev.sandboxgateway.gateway.edge;

import dev.sandboxgateway.gateway.request.Failure;
import dev.sandboxgateway.gateway.request.FailureMessages;
import dev.sandboxgateway.gateway.transport.LazyTimer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import org.jspecify.annotations.Nullable;

/**
 * Client-side timeouts of one HTTP/1.1 connection or HTTP/2 stream.
 *
 * <ul>
 *   <li>A new connection must deliver a complete request head within the request-header timeout.</li>
 *   <li>Between requests, a keep-alive connection may stay silent for the keep-alive idle timeout.</li>
 *   <li>Once the first byte of a request arrives, its head must be complete within the
 *       request-header timeout, else 408 (a slowloris client cannot hold a connection open by
 *       trickling bytes).</li>
 *   <li>While a request body is arriving, the gap between reads may not exceed the request-body
 *       idle timeout, else 408: a client that stops mid-body would otherwise hold a sandbox
 *       connection for ever. Time when the gateway itself stopped reading (backpressure) does not
 *       count.</li>
 * </ul>
 * Once the request is complete no client timeout runs: the backend's timeouts govern.
 * A head that arrives in one read (almost all of them) costs no timer work at all. An HTTP/2 stream
 * only has the body timeout: it opens with its head, and its connection times the silence around
 * streams, so a stream without a body to wait for never creates a timer.
 *
 * <p>Driven by what sees the client's reads first: on HTTP/1.1 the request decoder, which sees
 * raw bytes arrive; on an HTTP/2 stream its {@link ClientHandler}, which sees the stream's frames.
 * Not a pipeline handler of its own, which would be one more context on every connection and one
 * more call on every read.
 */
final class ClientTimeouts {

    /** Fired through the pipeline, from its head, when a request body stopped arriving. */
    static final Object BODY_TIMEOUT = new Object() {
        @Override
        public String toString() {
            return "BODY_TIMEOUT";
        }
    };

    private enum State { IDLE, READING_HEAD, READING_BODY, BUSY }

    private final EdgeContext edge;
    private final boolean stream;
    /** Set by {@link #started} when the connection or stream opens, before anything else is called. */
    @SuppressWarnings("NullAway.Init")
    private Channel channel;
    /** Made on first use: most HTTP/2 streams never need one. */
    private @Nullable LazyTimer timer;
    private State state = State.IDLE;
    private long headStartNanos;

    private ClientTimeouts(EdgeContext edge, boolean stream) {
        this.edge = edge;
        this.stream = stream;
    }

    /** The timeouts of an HTTP/1.1 connection, driven by its request decoder. */
    static ClientTimeouts forConnection(EdgeContext edge) {
        return new ClientTimeouts(edge, false);
    }

    /**
     * The timeouts of one HTTP/2 stream, driven by its {@link ClientHandler}. A stream opens on its
     * complete request head and ends with its exchange, and its connection times the silence before
     * and between streams: only a request body still to come is timed here.
     */
    static ClientTimeouts forStream(EdgeContext edge) {
        return new ClientTimeouts(edge, true);
    }

    /**
     * The connection or stream is open. A connection's first request head is now due within the
     * request-header timeout.
     */
    void started(Channel channel) {
        this.channel = channel;
        if (!stream) {
            timer().armAfter(edge.timeouts().requestHeader().toNanos());
        }
    }

    /** Something arrived from the client, before it is decoded. */
    void readArrived() {
        if (state == State.IDLE && !stream) {
            state = State.READING_HEAD;
            headStartNanos = System.nanoTime();
        } else if (state == State.READING_BODY) {
            timer().armAfter(edge.timeouts().requestBodyIdle().toNanos());
        }
    }

    /** The reads of one wake-up are done: a head begun and not finished must finish in time. */
    void readsDone() {
        if (state == State.READING_HEAD) {
            timer().armAt(headStartNanos + edge.timeouts().requestHeader().toNanos());
        }
    }

    void requestHeadReceived() {
        state = State.BUSY;
        disarm();
    }

    /** Whether the current request's body is still to come: its reads are then timed. */
    void bodyPending(boolean pending) {
        if (pending && state == State.BUSY) {
            state = State.READING_BODY;
            timer().armAfter(edge.timeouts().requestBodyIdle().toNanos());
        } else if (!pending && state == State.READING_BODY) {
            state = State.BUSY;
            disarm();
        }
    }

    void exchangeFinished() {
        state = State.IDLE;
        if (!stream) {
            timer().armAfter(edge.timeouts().keepAliveIdle().toNanos());
        }
    }

    void stop() {
        if (timer != null) {
            timer.stop();
        }
    }

    private LazyTimer timer() {
        if (timer == null) {
            timer = new LazyTimer(channel.eventLoop(), this::expired);
        }
        return timer;
    }

    private void disarm() {
        if (timer != null) {
            timer.disarm();
        }
    }

    private void expired() {
        if (!channel.isActive()) {
            return;
        }
        if (state == State.READING_HEAD) {
            Failure failure = FailureMessages.requestHeaderTimeout(edge.timeouts().requestHeader());
            FullHttpResponse response = edge.requestPath().errors().render(channel.alloc(), failure.error(),
                    failure.message(), null, null, false);
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            edge.requestPath().metrics().error(failure.error());
            channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else if (state == State.READING_BODY) {
            if (!channel.config().isAutoRead()) {
                timer().armAfter(edge.timeouts().requestBodyIdle().toNanos());
                return;
            }
            state = State.BUSY;
            channel.pipeline().fireUserEventTriggered(BODY_TIMEOUT);
        } else if (state == State.IDLE) {
            channel.close();
        }
    }
}
