package dev.sandboxgateway.gateway.edge;

import dev.sandboxgateway.gateway.backend.AcquireCallback;
import dev.sandboxgateway.gateway.backend.BackendConnection;
import dev.sandboxgateway.gateway.backend.BackendExchange;
import dev.sandboxgateway.gateway.backend.BackendKey;
import dev.sandboxgateway.gateway.metrics.GatewayMetrics;
import dev.sandboxgateway.routing.AccessTokens;
import dev.sandboxgateway.routing.Credentials;
import dev.sandboxgateway.routing.GatewayError;
import dev.sandboxgateway.routing.InvalidHost;
import dev.sandboxgateway.routing.ParsedHost;
import dev.sandboxgateway.routing.RateLimiter;
import dev.sandboxgateway.routing.SandboxRecord;
import dev.sandboxgateway.routing.SandboxTarget;
import dev.sandboxgateway.routing.SandboxWaker;
import dev.sandboxgateway.routing.SharedHost;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One request and its response: routes it, takes a backend connection, and streams the body
 * each way as it arrives, never holding more than a bounded amount of either body.
 *
 * <p>Everything runs on the client connection's event loop (backend connections are owned by the
 * same loop), so there is no locking. Invariant: once {@code finished} is set, nothing more is
 * written for this exchange, and every message that still arrives for it is released.
 */
final class Exchange implements AcquireCallback, BackendExchange {

    /** Request body bytes held while no backend connection is ready, before the client is paused. */
    static final int PENDING_LIMIT = 64 * 1024;

    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");

    private final ClientHandler client;
    private final ChannelHandlerContext clientCtx;
    private final EdgeContext edge;
    private final HttpRequest request;
    private final long startNanos = System.nanoTime();
    private final String method;
    private final String uri;
    private final boolean clientKeepAlive;
    private final boolean hasBody;
    private final boolean grpc;
    private final SendSizeLimit toBackend = new SendSizeLimit();
    private final SendSizeLimit toClient = new SendSizeLimit();

    private ClientAddress clientAddress;
    private boolean trustedPeer;
    private SandboxTarget target;
    private String upgrade;
    private long bodyLimit;
    private boolean waited;
    private BackendConnection backend;
    private boolean backendReused;
    private ArrayDeque<HttpContent> pending;
    private int pendingBytes;
    private boolean backendNeedsFlush;

    private boolean requestComplete;
    private boolean responseStarted;
    private boolean informational;
    private boolean switchingToTunnel;
    private boolean closeClient;
    private boolean backendKeepAlive;
    private boolean finished;

    private int status;
    private long bytesIn;
    private long bytesOut;
    private long connectNanos = -1;
    private GatewayError error;

    Exchange(ClientHandler client, ChannelHandlerContext clientCtx, EdgeContext edge, HttpRequest request) {
        this.client = client;
        this.clientCtx = clientCtx;
        this.edge = edge;
        this.request = request;
        this.method = request.method().name();
        this.uri = request.uri();
        this.clientKeepAlive = HttpUtil.isKeepAlive(request);
        // A head the decoder refused may carry a Content-Length that does not parse; it is closed anyway.
        this.hasBody = !request.decoderResult().isFailure()
                && (HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0);
        this.grpc = client.http2() && HopByHopHeaders.isGrpc(request);
        this.clientAddress = client.peer();
        // A request without a body arrives whole (StrictHttpServerCodec), its body the shared empty buffer, so
        // it needs no release when answered here, and is written to the sandbox whole.
        this.requestComplete = request instanceof LastHttpContent;
    }

    boolean requestComplete() {
        return requestComplete;
    }

    /** Whether body bytes are still expected from the client for this request. */
    boolean awaitsRequestBody() {
        return hasBody && !requestComplete && !finished;
    }

    /** Whether the client connection may be read now without buffering more than a bounded amount. */
    boolean acceptsRequestContent() {
        if (finished) {
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

    void start() {
        if (request.decoderResult().isFailure()) {
            requestComplete = true;
            failFromDecoder(request.decoderResult().cause());
            return;
        }
        if (client.overConnectionLimit()) {
            fail(GatewayError.TOO_MANY_CONNECTIONS, "The gateway has as many client connections open as it allows ("
                    + edge.limits().maxConnections() + ").");
            return;
        }
        if (request.method() == HttpMethod.CONNECT) {
            fail(GatewayError.METHOD_NOT_ALLOWED, "CONNECT is not supported: the gateway relays requests to sandbox URLs only.");
            return;
        }
        ClientAddress peer = clientAddress;
        trustedPeer = !edge.trustedProxies().isEmpty() && edge.trustedProxies().trusts(peer.bytes());
        if (trustedPeer) {
            clientAddress = edge.trustedProxies().clientBehind(request.headers().getAll(X_FORWARDED_FOR), peer);
        }
        if (rateLimited(edge.limits().perClientRate(), clientAddress.text(), "from " + clientAddress.text())) {
            return;
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        String absoluteAuthority = absoluteFormAuthority(uri);
        if (absoluteAuthority != null) {
            if (host != null && !host.equalsIgnoreCase(absoluteAuthority)) {
                fail(GatewayError.BAD_REQUEST, "The Host header '" + host + "' does not match the request target.");
                return;
            }
            host = absoluteAuthority;
            request.setUri(originForm(uri, absoluteAuthority));
        }
        ParsedHost parsed = edge.hostParser().parse(host);
        if (parsed == SharedHost.INSTANCE) {
            parsed = edge.hostParser().parseHeaders(request.headers().get("X-Sandbox-Id"),
                    request.headers().get("X-Sandbox-Port"));
        }
        if (parsed instanceof InvalidHost invalid) {
            fail(GatewayError.INVALID_HOST, capitalise(invalid.reason()) + ".");
            return;
        }
        target = (SandboxTarget) parsed;
        if (edge.httpsRedirectPort() != 0 && !HopByHopHeaders.clientUsedHttps(request, trustedPeer, client.secure())) {
            answerLocally(HttpsRedirect.to(host, edge.httpsRedirectPort(), request.uri()), null);
            return;
        }
        if (!edge.policy().portAllowed(target.port())) {
            fail(GatewayError.PORT_NOT_ALLOWED, rejectionMessage(GatewayError.PORT_NOT_ALLOWED));
            return;
        }
        if (rateLimited(edge.limits().perSandboxRate(), target.sandboxId(), "to sandbox " + target.sandboxId())) {
            return;
        }
        upgrade = HopByHopHeaders.webSocketUpgrade(request);
        CompletableFuture<Optional<SandboxRecord>> lookup = edge.resolver().resolve(target.sandboxId());
        if (lookup.isDone()) {
            resolved(lookup);
        } else {
            lookup.whenComplete((record, e) -> clientCtx.executor().execute(() -> resolved(lookup)));
        }
    }

    private void resolved(CompletableFuture<Optional<SandboxRecord>> lookup) {
        if (finished) {
            return;
        }
        if (lookup.isCompletedExceptionally()) {
            fail(GatewayError.REGISTRY_UNAVAILABLE, "The sandbox registry could not be asked where sandbox '"
                    + target.sandboxId() + "' is.");
            return;
        }
        Optional<SandboxRecord> found = lookup.join();
        String token = found.map(SandboxRecord::accessToken).orElse(null);
        Credentials credentials = token == null ? Credentials.NONE
                : SandboxAccess.credentials(request, requestHost());
        Optional<GatewayError> rejection = edge.policy().rejection(target, found, clientAddress.bytes(), credentials);
        if (rejection.isPresent() && edge.waker() != null && !waited
                && (rejection.get() == GatewayError.SANDBOX_PAUSED || rejection.get() == GatewayError.SANDBOX_STARTING)) {
            // Only a client that passed every access check gets here, so only they can wake a sandbox.
            waited = true;
            edge.waker().awaitRunning(target.sandboxId()).whenComplete((running, error) ->
                    clientCtx.executor().execute(() -> woke(running, error)));
            return;
        }
        if (rejection.isPresent()) {
            fail(rejection.get(), rejectionMessage(rejection.get()));
            return;
        }
        SandboxRecord record = found.get();
        if (!client.addressSandbox(target.sandboxId(), record)) {
            fail(GatewayError.TOO_MANY_CONNECTIONS, "Sandbox " + target.sandboxId()
                    + " has as many client connections through this gateway as it may.");
            return;
        }
        bodyLimit = edge.limits().maxRequestBodySize(record);
        if (bodyLimit > 0 && (HttpUtil.getContentLength(request, 0L) > bodyLimit || bytesIn > bodyLimit)) {
            bodyTooLarge();
            return;
        }
        if (token != null && credentials.header() == null && credentials.query() != null && upgrade == null
                && (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD)) {
            boolean https = HopByHopHeaders.clientUsedHttps(request, trustedPeer, client.secure());
            answerLocally(SandboxAccess.cookieRedirect(uri, AccessTokens.cookieValue(token, credentials.host()), https),
                    null);
            return;
        }
        SandboxAccess.strip(request, token != null);
        BackendKey key = new BackendKey(record.backendHost(), target.port());
        if (grpc) {
            edge.http2Pool().acquire(clientCtx.channel().eventLoop(), key, this);
        } else {
            edge.pool().acquire(clientCtx.channel().eventLoop(), key, this);
        }
    }

    private void woke(SandboxRecord running, Throwable error) {
        if (finished) {
            return;
        }
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            boolean timedOut = cause instanceof SandboxWaker.WakeFailedException wake && wake.timedOut();
            fail(timedOut ? GatewayError.SANDBOX_WAKE_TIMEOUT : GatewayError.SANDBOX_WAKE_FAILED,
                    capitalise(cause.getMessage()) + ".");
            return;
        }
        resolved(CompletableFuture.completedFuture(Optional.of(running)));
    }

    /** Answers 429 when {@code limiter} has no token for {@code key}; {@code whom} completes "Too many requests ...". */
    private boolean rateLimited(RateLimiter limiter, String key, String whom) {
        if (limiter == null) {
            return false;
        }
        long waitNanos = limiter.acquire(key);
        if (waitNanos == 0) {
            return false;
        }
        long seconds = ClientLimits.retryAfterSeconds(waitNanos);
        FullHttpResponse response = render(GatewayError.RATE_LIMITED, "Too many requests " + whom
                + ". Retry in " + seconds + " s.");
        response.headers().set(HttpHeaderNames.RETRY_AFTER, seconds);
        answerLocally(response, GatewayError.RATE_LIMITED);
        return true;
    }

    private void bodyTooLarge() {
        fail(GatewayError.REQUEST_BODY_TOO_LARGE, "The request body is larger than the " + bodyLimit
                + " bytes sandbox " + target.sandboxId() + " accepts.");
    }

    /** The host the request named, lower case, without port or trailing dot: what a cookie is bound to. */
    private String requestHost() {
        String host = HostHeader.withoutPort(request.headers().get(HttpHeaderNames.HOST, ""));
        int end = host.length();
        if (end > 0 && host.charAt(end - 1) == '.') {
            end--;
        }
        return host.substring(0, end).toLowerCase(Locale.ROOT);
    }

    @Override
    public void onAcquired(BackendConnection connection, boolean reused, long connectNanos) {
        if (finished) {
            // The client left while we connected; the connection itself is clean.
            connection.release();
            return;
        }
        this.backend = connection;
        this.backendReused = reused;
        this.connectNanos = connectNanos;
        connection.attach(this);
        edge.metrics().backendRequest(reused);
        HopByHopHeaders.rewriteRequest(request, upgrade, client.peer(), trustedPeer, client.localPort(), client.secure());
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
        if (finished) {
            return;
        }
        String message;
        switch (failure) {
            case BACKEND_CONNECTION_REFUSED:
                message = "Nothing is listening on port " + target.port() + " in sandbox " + target.sandboxId()
                        + " (" + detail + ").";
                break;
            case BACKEND_CONNECT_TIMEOUT:
                message = "Sandbox " + target.sandboxId() + " did not accept a connection on port " + target.port()
                        + " within " + edge.connectTimeoutMillis() + " ms.";
                break;
            default:
                message = "Sandbox " + target.sandboxId() + " port " + target.port() + ": " + detail + ".";
                break;
        }
        fail(failure, message);
    }

    /** Request body content from the client; released here or by the backend write. */
    void onRequestContent(HttpContent content) {
        bytesIn += content.content().readableBytes();
        boolean last = content instanceof LastHttpContent;
        if (last) {
            requestComplete = true;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            failFromDecoder(content.decoderResult().cause());
            return;
        }
        if (finished) {
            content.release();
            return;
        }
        if (bodyLimit > 0 && bytesIn > bodyLimit) {
            content.release();
            bodyTooLarge();
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

    void onRequestBodyTimeout() {
        if (finished || requestComplete) {
            return;
        }
        fail(GatewayError.REQUEST_BODY_TIMEOUT, "The request body stopped arriving for "
                + edge.requestBodyIdleNanos() / 1_000_000 + " ms before it was complete.");
    }

    /** The client read batch ended: push what it produced to the backend. */
    void flushToBackend() {
        if (backendNeedsFlush && backend != null) {
            backendNeedsFlush = false;
            toBackend.flush(backend.channel());
        }
    }

    @Override
    public void onResponse(HttpObject message) {
        if (finished) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (message.decoderResult().isFailure()) {
            ReferenceCountUtil.release(message);
            backendBroken(GatewayError.BACKEND_BAD_RESPONSE, "The server on port " + target.port() + " in sandbox "
                    + target.sandboxId() + " sent a response the gateway could not parse.");
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
                backendBroken(GatewayError.BACKEND_BAD_RESPONSE, "The server on port " + target.port()
                        + " in sandbox " + target.sandboxId() + " switched protocols without being asked to.");
                return;
            }
            status = code;
            responseStarted = true;
            switchingToTunnel = true;
            HopByHopHeaders.rewriteResponse(response, true, true, false, request.protocolVersion());
            clientCtx.write(response);
            return;
        }
        if (code < 200) {
            informational = true;
            HopByHopHeaders.rewriteResponse(response, false, true, false, request.protocolVersion());
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
        responseStarted = true;
        backendKeepAlive = HttpUtil.isKeepAlive(response);
        closeClient = !clientKeepAlive || client.draining();
        boolean bodyless = request.method() == HttpMethod.HEAD || code == 204 || code == 304;
        if (HopByHopHeaders.rewriteResponse(response, false, bodyless, closeClient, request.protocolVersion())) {
            closeClient = true;
        }
        if (!alsoContent) {
            // No promise: nothing waits on the head alone, and a failed write reaches exceptionCaught, which closes.
            clientCtx.write(response, clientCtx.voidPromise());
        }
    }

    private void onResponseContent(HttpContent content) {
        bytesOut += content.content().readableBytes();
        if (switchingToTunnel) {
            content.release();
            switchToTunnel();
            return;
        }
        if (informational) {
            if (content instanceof LastHttpContent) {
                informational = false;
            }
            clientCtx.write(content);
            return;
        }
        if (content instanceof LastHttpContent) {
            completeResponse((LastHttpContent) content);
            return;
        }
        toClient.write(clientCtx, content, content.content().readableBytes());
        if (!clientCtx.channel().isWritable()) {
            backend.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void onResponseReadComplete() {
        if (!finished) {
            toClient.flush(clientCtx);
        }
    }

    private void completeResponse(LastHttpContent last) {
        finished = true;
        boolean close = closeClient || !requestComplete;
        if (requestComplete && backendKeepAlive) {
            backend.release();
        } else {
            backend.discard();
        }
        record(GatewayMetrics.Source.BACKEND, null);
        if (close) {
            clientCtx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
        } else {
            clientCtx.writeAndFlush(last, clientCtx.voidPromise());
        }
        client.exchangeFinished(this, close);
    }

    private void switchToTunnel() {
        finished = true;
        BackendConnection connection = backend;
        connection.detachForTunnel();
        record(GatewayMetrics.Source.BACKEND, null);
        client.switchToTunnel(connection.channel());
    }

    @Override
    public void onBackendWritabilityChanged(boolean writable) {
        client.updateReading();
    }

    /** The client can take more: resume reading the response. */
    void onClientWritabilityChanged(boolean writable) {
        if (!finished && backend != null) {
            backend.channel().config().setAutoRead(writable);
        }
    }

    @Override
    public void onBackendClosed() {
        if (finished) {
            return;
        }
        backendBroken(GatewayError.BACKEND_CLOSED, "The server on port " + target.port() + " in sandbox "
                + target.sandboxId() + " closed the connection before completing its response.");
    }

    @Override
    public void onResponseTimeout() {
        if (finished || responseStarted) {
            return;
        }
        backendBroken(GatewayError.BACKEND_RESPONSE_TIMEOUT, "The server on port " + target.port() + " in sandbox "
                + target.sandboxId() + " did not start its response within " + edge.responseTimeoutMillis() + " ms.");
    }

    /**
     * The backend failed. Before the response started the client gets an error response; after,
     * the client connection is closed without completing the body, so a truncated body can never
     * pass for a complete one.
     */
    private void backendBroken(GatewayError failure, String message) {
        if (backend != null) {
            backend.discard();
            backend = null;
        }
        fail(failure, message);
    }

    private void abort(GatewayError failure) {
        finished = true;
        error = failure;
        releasePending();
        if (backend != null) {
            backend.discard();
            backend = null;
        }
        edge.metrics().abortedResponse();
        record(GatewayMetrics.Source.BACKEND, failure);
        clientCtx.flush();
        clientCtx.close();
        client.exchangeFinished(this, true);
    }

    /** The client connection closed mid-exchange: abandon the backend connection, whose state is unknown. */
    void onClientClosed() {
        if (finished) {
            return;
        }
        finished = true;
        releasePending();
        if (backend != null) {
            backend.discard();
        }
        edge.metrics().abortedResponse();
        record(GatewayMetrics.Source.BACKEND, null);
    }

    void fail(GatewayError failure, String message) {
        if (responseStarted || informational) {
            abort(failure);
            return;
        }
        answerLocally(render(failure, message), failure);
    }

    private FullHttpResponse render(GatewayError failure, String message) {
        if (grpc) {
            return GrpcErrors.render(failure, message);
        }
        // Parsed only for an error: most requests never need it, and a browser's Accept header is long.
        boolean html = AcceptHeader.prefersHtml(request.headers().get(HttpHeaderNames.ACCEPT));
        return edge.errors().render(clientCtx.alloc(), failure, message, target, html);
    }

    /** Sends a response the gateway made itself (an error, a redirect) in place of the sandbox's. */
    private void answerLocally(FullHttpResponse response, GatewayError failure) {
        finished = true;
        error = failure;
        status = response.status().code();
        releasePending();
        if (backend != null) {
            backend.discard();
            backend = null;
        }
        // A body still on its way would be read as the next request: close instead of draining it.
        boolean close = (hasBody && !requestComplete) || !clientKeepAlive || client.draining()
                || (failure != null && failure.closesConnection());
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        record(GatewayMetrics.Source.GATEWAY, failure);
        client.sendError(response, close);
        client.exchangeFinished(this, close);
    }

    private void failFromDecoder(Throwable cause) {
        if (cause instanceof RequestRejectedException rejected) {
            fail(rejected.error(), capitalise(rejected.getMessage()) + ".");
        } else if (cause instanceof TooLongHttpLineException) {
            fail(GatewayError.REQUEST_LINE_TOO_LONG, "The request line is longer than the gateway accepts.");
        } else if (cause instanceof TooLongHttpHeaderException) {
            fail(GatewayError.REQUEST_HEADERS_TOO_LARGE, "The request headers are larger than the gateway accepts.");
        } else if (cause instanceof TooLongFrameException) {
            fail(GatewayError.BAD_REQUEST, "A request part is larger than the gateway accepts.");
        } else {
            fail(GatewayError.BAD_REQUEST, "The request is not valid HTTP/1.1: " + cause.getMessage());
        }
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
        edge.metrics().request(source, status == 0 ? 499 : status, duration);
        if (edge.accessLog().enabled()) {
            edge.accessLog().log(clientAddress.text(), method, uri,
                    target == null ? null : target.sandboxId(), target == null ? 0 : target.port(),
                    status, bytesIn, bytesOut, duration, connectNanos,
                    failure == null ? (error == null ? null : error.code()) : failure.code());
        }
    }

    private String rejectionMessage(GatewayError rejection) {
        String sandbox = "sandbox " + target.sandboxId();
        switch (rejection) {
            case SANDBOX_NOT_FOUND:
                return "There is no " + sandbox + (target.suffix() == null ? "" : " with suffix " + target.suffix()) + ".";
            case SANDBOX_PAUSED:
                return capitalise(sandbox) + " is paused.";
            case SANDBOX_STARTING:
                return capitalise(sandbox) + " is still starting.";
            case SANDBOX_STOPPED:
                return capitalise(sandbox) + " is stopped.";
            case PORT_NOT_ALLOWED:
                return "Port " + target.port() + " of " + sandbox + " is not open to the gateway.";
            default:
                return rejection.title() + ".";
        }
    }

    private static String capitalise(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    /** The authority of an absolute-form target ({@code http://host:port/path}), or {@code null}. */
    private static String absoluteFormAuthority(String uri) {
        int schemeEnd;
        if (uri.regionMatches(true, 0, "http://", 0, 7)) {
            schemeEnd = 7;
        } else if (uri.regionMatches(true, 0, "https://", 0, 8)) {
            schemeEnd = 8;
        } else {
            return null;
        }
        int end = schemeEnd;
        while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?' && uri.charAt(end) != '#') {
            end++;
        }
        return uri.substring(schemeEnd, end);
    }

    private static String originForm(String uri, String authority) {
        int pathStart = uri.indexOf(authority) + authority.length();
        String rest = uri.substring(pathStart);
        return rest.isEmpty() || rest.charAt(0) != '/' ? "/" + rest : rest;
    }
}
