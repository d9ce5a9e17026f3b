package dev.sandboxgateway.gateway.relay;

import dev.sandboxgateway.gateway.backend.AcquireCallback;
import dev.sandboxgateway.gateway.backend.BackendConnection;
import dev.sandboxgateway.gateway.backend.BackendExchange;
import dev.sandboxgateway.gateway.backend.BackendKey;
import dev.sandboxgateway.gateway.http.GrpcErrors;
import dev.sandboxgateway.gateway.http.HopByHopHeaders;
import dev.sandboxgateway.gateway.http.HttpsRedirect;
import dev.sandboxgateway.gateway.http.ResponseFraming;
import dev.sandboxgateway.gateway.http.SandboxAccess;
import dev.sandboxgateway.gateway.metrics.GatewayMetrics;
import dev.sandboxgateway.gateway.request.AcceptHeader;
import dev.sandboxgateway.gateway.request.AdmissionVerdict.Admitted;
import dev.sandboxgateway.gateway.request.AdmissionVerdict.Redirected;
import dev.sandboxgateway.gateway.request.AdmissionVerdict.Rejected;
import dev.sandboxgateway.gateway.request.AdmissionVerdict;
import dev.sandboxgateway.gateway.request.ClientAddress;
import dev.sandboxgateway.gateway.request.ConnectionFacts;
import dev.sandboxgateway.gateway.request.Failure;
import dev.sandboxgateway.gateway.request.FailureMessages;
import dev.sandboxgateway.gateway.request.RoutingVerdict.Connect;
import dev.sandboxgateway.gateway.request.RoutingVerdict.CookieRedirect;
import dev.sandboxgateway.gateway.request.RoutingVerdict.Refused;
import dev.sandboxgateway.gateway.request.RoutingVerdict;
import dev.sandboxgateway.routing.host.SandboxTarget;
import dev.sandboxgateway.routing.policy.GatewayError;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One request and its response, as a state machine: admission, the registry lookup and routing
 * decision (each a value computed elsewhere), then the relay, which streams each body as it
 * arrives and never holds more than a bounded amount of either. Every way it ends goes through
 * {@link #finish}.
 *
 * <p>Everything runs on the client connection's event loop (backend connections are owned by the
 * same loop), so there is no locking. Invariant: once {@link State#FINISHED}, nothing more is
 * written for this exchange, and every message that still arrives for it is released.
 */
public final class Exchange implements AcquireCallback, BackendExchange {

    /** Request body bytes held while no backend connection is ready, before the client is paused. */
    static final int PENDING_LIMIT = 64 * 1024;

    /** Where the exchange is. It only moves forward, except that an interim response returns to awaiting one. */
    private enum State {
        /** Admission, the registry lookup, a wake-up: no backend yet. */
        ROUTING,
        /** A backend connection was asked for. */
        CONNECTING,
        /** The request is going to the sandbox; no final response head yet. */
        AWAITING_RESPONSE,
        /** An interim (1xx) response is being relayed; the final one follows. */
        INTERIM_RESPONSE,
        /** The final response head was written; its body streams to the client. */
        RESPONDING,
        /** The sandbox accepted a WebSocket upgrade; the tunnel starts once its 101 is complete. */
        SWITCHING_PROTOCOLS,
        FINISHED
    }

    /** How an exchange ended: it decides what becomes of the backend connection and how the request counts. */
    private enum Ending {
        /** The sandbox's response was relayed whole. */
        RELAYED,
        /** The two connections became a WebSocket tunnel. */
        UPGRADED,
        /** The gateway answered itself: an error or a redirect. */
        ANSWERED,
        /** The response had started and cannot be completed: the client connection is cut. */
        ABORTED,
        /** The client went away first. */
        CLIENT_GONE
    }

    private final ClientSide client;
    private final ChannelHandlerContext clientCtx;
    private final RequestPath path;
    private final ConnectionFacts connection;
    private final HttpRequest request;
    private final long startNanos = System.nanoTime();
    private final String method;
    /** The target as received, for the access log. */
    private final String uri;
    private final boolean clientKeepAlive;
    private final boolean hasBody;
    private final boolean grpc;
    private final SendSizeLimit toBackend = new SendSizeLimit();
    private final SendSizeLimit toClient = new SendSizeLimit();

    private State state = State.ROUTING;
    private ClientAddress clientAddress;
    private Admitted admitted;
    /** The sandbox port named, once known; what the error page and the access log show. */
    private SandboxTarget target;
    /** The WebSocket upgrade asked for, until the sandbox declines it. */
    private String upgrade;
    private long maxBodyBytes = Long.MAX_VALUE;
    private boolean wakeAsked;
    private BackendConnection backend;
    private ArrayDeque<HttpContent> pending;
    private int pendingBytes;
    private boolean requestComplete;
    private boolean backendNeedsFlush;
    private boolean closeClient;
    private boolean backendKeepAlive;

    private int status;
    private long bytesIn;
    private long bytesOut;
    private long connectNanos = -1;

    public Exchange(ClientSide client, ChannelHandlerContext clientCtx, RequestPath path, ConnectionFacts connection,
                    HttpRequest request) {
        this.client = client;
        this.clientCtx = clientCtx;
        this.path = path;
        this.connection = connection;
        this.request = request;
        this.method = request.method().name();
        this.uri = request.uri();
        this.clientKeepAlive = HttpUtil.isKeepAlive(request);
        // A head the decoder refused may carry a Content-Length that does not parse; it is closed anyway.
        this.hasBody = !request.decoderResult().isFailure()
                && (HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0);
        this.grpc = connection.http2() && HopByHopHeaders.isGrpc(request);
        this.clientAddress = connection.peer();
        // A request without a body arrives whole (StrictHttpServerCodec), its body the shared empty buffer, so
        // it needs no release when answered here, and is written to the sandbox whole.
        this.requestComplete = request instanceof LastHttpContent;
    }

    public boolean requestComplete() {
        return requestComplete;
    }

    /** Whether body bytes are still expected from the client for this request. */
    public boolean awaitsRequestBody() {
        return hasBody && !requestComplete && state != State.FINISHED;
    }

    /** Whether the client connection may be read now without buffering more than a bounded amount. */
    public boolean acceptsRequestContent() {
        if (state == State.FINISHED) {
            return true;
        }
        if (upgrade != null) {
            // A WebSocket client sends nothing before the 101; anything it does send waits for the tunnel.
            return false;
        }
        if (backend == null) {
            return pendingBytes < PENDING_LIMIT;
        }
        return backend.channel().isWritable();
    }

    /** Admission, then the registry lookup. */
    public void start() {
        if (request.decoderResult().isFailure()) {
            requestComplete = true;
            fail(FailureMessages.undecodable(request.decoderResult().cause()));
            return;
        }
        AdmissionVerdict verdict = path.admission().admit(request, connection);
        clientAddress = verdict.client();
        if (verdict instanceof Rejected rejected) {
            target = rejected.target();
            FullHttpResponse response = render(rejected.failure());
            rejected.retryAfterSeconds().ifPresent(seconds -> response.headers().set(HttpHeaderNames.RETRY_AFTER, seconds));
            answer(response, rejected.failure().error());
            return;
        }
        if (verdict instanceof Redirected redirected) {
            target = redirected.target();
            answer(HttpsRedirect.to(redirected.location()), null);
            return;
        }
        admitted = (Admitted) verdict;
        target = admitted.target();
        String originForm = admitted.requestTarget().uri();
        if (!originForm.equals(uri)) {
            request.setUri(originForm);
        }
        upgrade = HopByHopHeaders.webSocketUpgrade(request);
        CompletableFuture<Optional<SandboxRecord>> lookup = path.resolver().resolve(target.sandboxId());
        if (lookup.isDone()) {
            resolved(lookup);
        } else {
            lookup.whenComplete((record, e) -> clientCtx.executor().execute(() -> resolved(lookup)));
        }
    }

    private void resolved(CompletableFuture<Optional<SandboxRecord>> lookup) {
        if (state == State.FINISHED) {
            return;
        }
        if (lookup.isCompletedExceptionally()) {
            fail(FailureMessages.registryUnavailable(target));
            return;
        }
        route(lookup.join());
    }

    private void route(Optional<SandboxRecord> found) {
        RoutingVerdict verdict = path.routing().decide(admitted, request, found, bytesIn,
                path.waker().isPresent() && !wakeAsked, upgrade != null, client);
        if (verdict instanceof Connect connect) {
            connect(connect);
        } else if (verdict == RoutingVerdict.Wake.INSTANCE) {
            wakeAsked = true;
            path.waker().orElseThrow().awaitRunning(target.sandboxId()).whenComplete((running, error) ->
                    clientCtx.executor().execute(() -> woke(running, error)));
        } else if (verdict instanceof CookieRedirect redirect) {
            answer(SandboxAccess.cookieRedirect(redirect.uri(), redirect.cookieValue(), redirect.secure()), null);
        } else {
            fail(((Refused) verdict).failure());
        }
    }

    private void woke(SandboxRecord running, Throwable error) {
        if (state == State.FINISHED) {
            return;
        }
        if (error != null) {
            fail(FailureMessages.wakeFailed(error));
            return;
        }
        route(Optional.of(running));
    }

    private void connect(Connect connect) {
        maxBodyBytes = connect.maxBodyBytes().orElse(Long.MAX_VALUE);
        SandboxAccess.strip(request, connect.protectedSandbox());
        state = State.CONNECTING;
        BackendKey key = new BackendKey(connect.record().backendHost(), target.port());
        if (grpc) {
            path.http2Pool().acquire(clientCtx.channel().eventLoop(), key, this);
        } else {
            path.pool().acquire(clientCtx.channel().eventLoop(), key, this);
        }
    }

    @Override
    public void onAcquired(BackendConnection connection, boolean reused, long connectNanos) {
        if (state == State.FINISHED) {
            // The client left while we connected; the connection itself is clean.
            connection.release();
            return;
        }
        this.backend = connection;
        this.connectNanos = connectNanos;
        this.state = State.AWAITING_RESPONSE;
        connection.attach(this);
        path.metrics().backendRequest(reused);
        HopByHopHeaders.rewriteRequest(request, upgrade, this.connection.peer().text(), admitted.viaTrustedProxy(),
                admitted.requestTarget().host(), this.connection.localPort(), this.connection.secure());
        if (grpc) {
            // gRPC servers require it (trailers carry the call's status); HTTP/2 allows TE with this value only.
            request.headers().set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
        }
        Channel channel = connection.channel();
        channel.write(request, channel.voidPromise());
        if (pending != null) {
            HttpContent content;
            while ((content = pending.poll()) != null) {
                toBackend.write(channel, content, content.content().readableBytes());
            }
            pendingBytes = 0;
        }
        toBackend.flush(channel);
        if (requestComplete) {
            connection.awaitResponse();
        }
        client.updateReading();
    }

    @Override
    public void onAcquireFailed(GatewayError failure, String detail) {
        if (state != State.FINISHED) {
            fail(FailureMessages.connectFailed(failure, detail, target, path.backend().connectTimeout()));
        }
    }

    /** Request body content from the client; released here or by the backend write. */
    public void onRequestContent(HttpContent content) {
        bytesIn += content.content().readableBytes();
        boolean last = content instanceof LastHttpContent;
        if (last) {
            requestComplete = true;
        }
        if (state == State.FINISHED) {
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            fail(FailureMessages.undecodable(content.decoderResult().cause()));
            return;
        }
        if (bytesIn > maxBodyBytes) {
            content.release();
            fail(FailureMessages.bodyTooLarge(maxBodyBytes, target));
            return;
        }
        if (backend == null) {
            if (pending == null) {
                pending = new ArrayDeque<>(4);
            }
            pending.add(content);
            pendingBytes += content.content().readableBytes();
            return;
        }
        toBackend.write(backend.channel(), content, content.content().readableBytes());
        backendNeedsFlush = true;
        if (last) {
            backend.awaitResponse();
        }
    }

    public void onRequestBodyTimeout() {
        if (state != State.FINISHED && !requestComplete) {
            fail(FailureMessages.requestBodyTimeout(path.timeouts().requestBodyIdle()));
        }
    }

    /** The client read batch ended: push what it produced to the backend. */
    public void flushToBackend() {
        if (backendNeedsFlush && backend != null) {
            backendNeedsFlush = false;
            toBackend.flush(backend.channel());
        }
    }

    @Override
    public void onResponse(HttpObject message) {
        if (state == State.FINISHED) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (message.decoderResult().isFailure()) {
            ReferenceCountUtil.release(message);
            fail(FailureMessages.badResponse(target));
            return;
        }
        if (message instanceof HttpResponse response) {
            // An HTTP/2 sandbox's response that is all headers (a gRPC trailers-only answer) arrives as one
            // message: it is written once, as the last content, so it stays one HEADERS frame.
            onResponseHead(response, message instanceof HttpContent);
        }
        if (message instanceof HttpContent content) {
            onResponseContent(content);
        }
    }

    private void onResponseHead(HttpResponse response, boolean alsoContent) {
        backend.responseStarted();
        int code = response.status().code();
        if (code == 101) {
            if (upgrade == null) {
                fail(FailureMessages.unaskedSwitch(target));
                return;
            }
            status = code;
            state = State.SWITCHING_PROTOCOLS;
            HopByHopHeaders.rewriteSwitchingProtocols(response, request.protocolVersion());
            clientCtx.write(response);
            return;
        }
        if (code < 200) {
            state = State.INTERIM_RESPONSE;
            HopByHopHeaders.rewriteResponse(response, ResponseFraming.interim(request.protocolVersion()));
            if (!alsoContent) {
                clientCtx.write(response);
            }
            return;
        }
        if (upgrade != null) {
            // The sandbox declined the upgrade: this is an ordinary response, and the client may read again.
            upgrade = null;
            client.updateReading();
        }
        status = code;
        state = State.RESPONDING;
        backendKeepAlive = HttpUtil.isKeepAlive(response);
        closeClient = !clientKeepAlive || client.draining();
        boolean bodyless = request.method() == HttpMethod.HEAD || code == 204 || code == 304;
        if (HopByHopHeaders.rewriteResponse(response, new ResponseFraming(bodyless, closeClient,
                request.protocolVersion()))) {
            closeClient = true;
        }
        if (!alsoContent) {
            // No promise: nothing waits on the head alone, and a failed write reaches exceptionCaught, which closes.
            clientCtx.write(response, clientCtx.voidPromise());
        }
    }

    private void onResponseContent(HttpContent content) {
        bytesOut += content.content().readableBytes();
        if (state == State.SWITCHING_PROTOCOLS) {
            content.release();
            switchToTunnel();
            return;
        }
        if (state == State.INTERIM_RESPONSE) {
            if (content instanceof LastHttpContent) {
                state = State.AWAITING_RESPONSE;
            }
            clientCtx.write(content);
            return;
        }
        if (content instanceof LastHttpContent last) {
            completeResponse(last);
            return;
        }
        toClient.write(clientCtx, content, content.content().readableBytes());
        if (!clientCtx.channel().isWritable()) {
            backend.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void onResponseReadComplete() {
        if (state != State.FINISHED) {
            toClient.flush(clientCtx);
        }
    }

    private void completeResponse(LastHttpContent last) {
        boolean close = closeClient || !requestComplete;
        finish(Ending.RELAYED, null);
        if (close) {
            clientCtx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
        } else {
            clientCtx.writeAndFlush(last, clientCtx.voidPromise());
        }
        client.exchangeFinished(this, close);
    }

    private void switchToTunnel() {
        Channel backendChannel = backend.channel();
        finish(Ending.UPGRADED, null);
        client.switchToTunnel(backendChannel);
    }

    @Override
    public void onBackendWritabilityChanged(boolean writable) {
        client.updateReading();
    }

    /** The client can take more: resume reading the response. */
    public void onClientWritabilityChanged(boolean writable) {
        if (state != State.FINISHED && backend != null) {
            backend.channel().config().setAutoRead(writable);
        }
    }

    @Override
    public void onBackendClosed() {
        if (state != State.FINISHED) {
            fail(FailureMessages.backendClosed(target));
        }
    }

    @Override
    public void onResponseTimeout() {
        if (state == State.CONNECTING || state == State.AWAITING_RESPONSE || state == State.INTERIM_RESPONSE) {
            fail(FailureMessages.responseTimeout(target, path.backend().responseTimeout()));
        }
    }

    /** The client connection closed mid-exchange: abandon the backend connection, whose state is unknown. */
    public void onClientClosed() {
        if (state != State.FINISHED) {
            finish(Ending.CLIENT_GONE, null);
        }
    }

    /**
     * Before the response started, the client gets an error response; after, its connection is cut
     * without completing the body, so a truncated body can never pass for a complete one.
     */
    private void fail(Failure failure) {
        if (state == State.INTERIM_RESPONSE || state == State.RESPONDING || state == State.SWITCHING_PROTOCOLS) {
            finish(Ending.ABORTED, failure.error());
            clientCtx.flush();
            clientCtx.close();
            client.exchangeFinished(this, true);
            return;
        }
        answer(render(failure), failure.error());
    }

    private FullHttpResponse render(Failure failure) {
        if (grpc) {
            return GrpcErrors.render(failure.error(), failure.message());
        }
        // Parsed only for an error: most requests never need it, and a browser's Accept header is long.
        boolean html = AcceptHeader.prefersHtml(request.headers().get(HttpHeaderNames.ACCEPT));
        return path.errors().render(clientCtx.alloc(), failure.error(), failure.message(), target, html);
    }

    /** Sends a response the gateway made itself (an error, a redirect) in place of the sandbox's. */
    private void answer(FullHttpResponse response, GatewayError failure) {
        status = response.status().code();
        // A body still on its way would be read as the next request: close instead of draining it.
        boolean close = (hasBody && !requestComplete) || !clientKeepAlive || client.draining()
                || (failure != null && failure.closesConnection());
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        finish(Ending.ANSWERED, failure);
        if (close) {
            clientCtx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            clientCtx.writeAndFlush(response, clientCtx.voidPromise());
        }
        client.exchangeFinished(this, close);
    }

    /**
     * The one way out: nothing more is written for this exchange, held request content is released,
     * the backend connection goes back to its pool only after a complete exchange with clean framing
     * (else it is closed, or handed to the tunnel), and the request is counted and logged.
     *
     * @param failure the gateway error code the request ended with, if any
     */
    private void finish(Ending ending, GatewayError failure) {
        state = State.FINISHED;
        releasePending();
        BackendConnection connection = backend;
        backend = null;
        if (connection != null) {
            if (ending == Ending.UPGRADED) {
                connection.detachForTunnel();
            } else if (ending == Ending.RELAYED && requestComplete && backendKeepAlive) {
                connection.release();
            } else {
                connection.discard();
            }
        }
        if (ending == Ending.ABORTED || ending == Ending.CLIENT_GONE) {
            path.metrics().abortedResponse();
        }
        record(ending == Ending.ANSWERED ? GatewayMetrics.Source.GATEWAY : GatewayMetrics.Source.BACKEND, failure);
    }

    private void releasePending() {
        if (pending != null) {
            HttpContent content;
            while ((content = pending.poll()) != null) {
                content.release();
            }
            pendingBytes = 0;
        }
    }

    private void record(GatewayMetrics.Source source, GatewayError failure) {
        long duration = System.nanoTime() - startNanos;
        path.metrics().request(source, status == 0 ? 499 : status, duration);
        if (path.accessLog().enabled()) {
            path.accessLog().log(clientAddress.text(), method, uri,
                    target == null ? null : target.sandboxId(), target == null ? 0 : target.port(),
                    status, bytesIn, bytesOut, duration, connectNanos, failure == null ? null : failure.code());
        }
    }
}
