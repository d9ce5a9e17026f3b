package dev.sandboxgateway.gateway.relay;

import dev.sandboxgateway.gateway.backend.BackendConnection;
import dev.sandboxgateway.gateway.http.HopByHopHeaders;
import dev.sandboxgateway.gateway.http.HostRewrite;
import dev.sandboxgateway.gateway.request.AdmissionVerdict.Admitted;
import dev.sandboxgateway.gateway.request.ConnectionFacts;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * One request on its way to the sandbox: the direction of an {@link Exchange} opposite to
 * {@link ResponseRelay}. The head is rewritten for the sandbox once a backend connection is ready.
 * Until then the body's parts are held, at most {@link #PENDING_LIMIT} bytes before the client is
 * no longer read; then they are written as they arrive, in sends of a bounded size, and flushed
 * once per client read batch. Counts what arrived against the body limit that applies.
 */
final class RequestRelay {

    /** Request body bytes held while no backend connection is ready, before the client is paused. */
    static final int PENDING_LIMIT = 64 * 1024;

    private final HttpRequest request;
    private final SendSizeLimit toBackend = new SendSizeLimit();
    private @Nullable ArrayDeque<HttpContent> pending;
    private int pendingBytes;
    private @Nullable BackendConnection backend;
    private boolean needsFlush;
    private long bytesRead;
    private long maxBytes = Long.MAX_VALUE;
    private boolean complete;

    /** @param complete whether the request arrived whole (a request without a body does) */
    RequestRelay(HttpRequest request, boolean complete) {
        this.request = request;
        this.complete = complete;
    }

    /** Whether the last part arrived. */
    boolean complete() {
        return complete;
    }

    long bytesRead() {
        return bytesRead;
    }

    long maxBytes() {
        return maxBytes;
    }

    /** The routing decision set the body limit; parts that arrived before it count too. */
    void limit(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Counts a part that arrived from the client, before anything is done with it. */
    void arrived(HttpContent content) {
        bytesRead += content.content().readableBytes();
        if (content instanceof LastHttpContent) {
            complete = true;
        }
    }

    /** Whether more arrived than the limit allows. */
    boolean overLimit() {
        return bytesRead > maxBytes;
    }

    /** Whether the client may be read now without holding more than a bounded amount. */
    boolean acceptsMore() {
        return backend == null ? pendingBytes < PENDING_LIMIT : backend.channel().isWritable();
    }

    /**
     * Holds {@code content} until a backend is connected, or writes it to the backend; released either
     * way. The backend's response timeout starts once the last part is written.
     */
    void relay(HttpContent content) {
        if (backend == null) {
            if (pending == null) {
                pending = new ArrayDeque<>(4);
            }
            pending.add(content);
            pendingBytes += content.content().readableBytes();
            return;
        }
        toBackend.write(backend.channel(), content, content.content().readableBytes());
        needsFlush = true;
        if (complete) {
            backend.awaitResponse();
        }
    }

    /**
     * A backend connection is ready: the head goes, rewritten for the sandbox, then what was held,
     * flushed.
     *
     * @param upgrade the WebSocket upgrade asked for, or {@code null}
     * @param grpc    whether the request is a gRPC call, relayed over HTTP/2 with its trailers
     */
    /** @param host the Host the sandbox's record asks for on this port, or {@code null} to keep the public one */
    void connected(BackendConnection backend, ConnectionFacts connection, Admitted admitted, @Nullable String upgrade,
                   boolean grpc, @Nullable String host) {
        this.backend = backend;
        HopByHopHeaders.rewriteRequest(request, upgrade, connection.peer().text(), admitted.viaTrustedProxy(),
                admitted.requestTarget().host(), connection.localPort(), connection.secure());
        if (host != null) {
            HostRewrite.apply(request.headers(), host, admitted.requestTarget().host(), admitted.https());
        }
        if (grpc) {
            // gRPC servers require it (trailers carry the call's status); HTTP/2 allows TE with this value only.
            request.headers().set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
        }
        Channel channel = backend.channel();
        channel.write(request, channel.voidPromise());
        if (pending != null) {
            HttpContent content;
            while ((content = pending.poll()) != null) {
                toBackend.write(channel, content, content.content().readableBytes());
            }
            pendingBytes = 0;
        }
        toBackend.flush(channel);
        if (complete) {
            backend.awaitResponse();
        }
    }

    /** The client read batch ended: push what it produced to the backend. */
    void flush() {
        if (needsFlush && backend != null) {
            needsFlush = false;
            toBackend.flush(backend.channel());
        }
    }

    /** The exchange ended: nothing more goes to the backend, and what was held is released. */
    void discard() {
        backend = null;
        if (pending != null) {
            HttpContent content;
            while ((content = pending.poll()) != null) {
                content.release();
            }
            pendingBytes = 0;
        }
    }
}
