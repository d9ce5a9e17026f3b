package dev.sandboxgateway.gateway.relay;

import dev.sandboxgateway.gateway.backend.AcquireCallback;
import dev.sandboxgateway.gateway.backend.BackendConnection;
import dev.sandboxgateway.gateway.backend.BackendKey;
import dev.sandboxgateway.gateway.http.GatewayCors;
import dev.sandboxgateway.gateway.http.HopByHopHeaders;
import dev.sandboxgateway.gateway.http.PortWaitPage;
import dev.sandboxgateway.gateway.http.SandboxAccess;
import dev.sandboxgateway.gateway.metrics.AccessLog;
import dev.sandboxgateway.gateway.metrics.GatewayMetrics;
import dev.sandboxgateway.gateway.relay.RoutingPhase.Routed;
import dev.sandboxgateway.gateway.relay.RoutingPhase.Routed.Connecting;
import dev.sandboxgateway.gateway.relay.RoutingPhase.Routed.Redirecting;
import dev.sandboxgateway.gateway.relay.RoutingPhase.Routed.Refusing;
import dev.sandboxgateway.gateway.request.AdmissionVerdict.Admitted;
import dev.sandboxgateway.gateway.request.ClientAddress;
import dev.sandboxgateway.gateway.request.ConnectionFacts;
import dev.sandboxgateway.gateway.request.Failure;
import dev.sandboxgateway.gateway.request.FailureMessages;
import dev.sandboxgateway.gateway.request.RequestIds;
import dev.sandboxgateway.gateway.request.RoutingVerdict.Connect;
import dev.sandboxgateway.gateway.request.TraceParent;
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
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One request and its response, as a state machine: admission, the registry lookup and the routing
 * decision (each a value computed elsewhere), a connection to the sandbox, then the relay, one
 * direction each: {@link RequestRelay} towards the sandbox, {@link ResponseRelay} back to the client.
 * Every way it ends goes through {@link #finish}.
 *
 * <p>Everything runs on the client connection's event loop (backend connections are owned by the
 * same loop), so there is no locking. Invariant: once {@link State#FINISHED}, nothing more is
 * written for this exchange, and every message that still arrives for it is released.
 */
public final class Exchange implements AcquireCallback {

    private enum State {
        /** Admission, the registry lookup, a wake-up: no backend yet. */
        ROUTING,
        /** A backend connection was asked for. */
        CONNECTING,
        /** Both directions are relayed; {@link ResponseRelay} knows how far the response got. */
        RELAYING,
        FINISHED
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
    private final RequestRelay body;
    /** Sent to the sandbox, returned to the client, in the access log and every error. */
    private final String requestId;

    private State state = State.ROUTING;
    private ClientAddress clientAddress;
    private @Nullable Admitted admitted;
    /** The sandbox port named, once known; what the error page and the access log show. */
    private @Nullable SandboxTarget target;
    /** The WebSocket upgrade asked for, until the sandbox declines it. */
    private @Nullable String upgrade;
    private @Nullable BackendConnection backend;
    private @Nullable ResponseRelay response;
    /** The status of a response the gateway made itself. */
    private int answeredStatus;
    private long connectNanos = -1;
    /** Where the request was sent, once a connection was asked for. */
    private @Nullable BackendKey backendKey;
    /** The record routing connected with; its {@code portStartupWaitMillis} overrides the gateway's. */
    private @Nullable SandboxRecord record;
    /** While the port refuses connections and the request is held for it to start. */
    private @Nullable PortWait portWait;
    /** How often the browser reloaded the port_not_listening page so far, read before the cookie is stripped. */
    private int portWaitRefreshes;

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
        this.upgrade = HopByHopHeaders.webSocketUpgrade(request);
        this.requestId = RequestIds.of(request.headers(), path.admission().trustsPeer(connection.peer()));
        request.headers().set(RequestIds.HEADER, requestId);
        // A request without a body arrives whole (StrictHttpServerCodec), its body the shared empty buffer, so
        // it needs no release when answered here, and is written to the sandbox whole. One the decoder refused
        // is answered and closed: nothing more of it is read.
        this.body = new RequestRelay(request, request instanceof LastHttpContent || request.decoderResult().isFailure());
    }

    public boolean requestComplete() {
        return body.complete();
    }

    /** Whether body bytes are still expected from the client for this request. */
    public boolean awaitsRequestBody() {
        return hasBody && !body.complete() && state != State.FINISHED;
    }

    /** Whether the client connection may be read now without buffering more than a bounded amount. */
    public boolean acceptsRequestContent() {
        if (state == State.FINISHED) {
            return true;
        }
        // A WebSocket client sends nothing before the 101; anything it does send waits for the tunnel.
        return upgrade == null && body.acceptsMore();
    }

    /** Routing first: admission, the registry lookup, the routing decision. */
    public void start() {
        if (request.decoderResult().isFailure()) {
            fail(FailureMessages.undecodable(request.decoderResult().cause()));
            return;
        }
        new RoutingPhase(this, path, request, connection, client, clientCtx.executor(), upgrade != null).start();
    }

    boolean finished() {
        return state == State.FINISHED;
    }

    long bodyBytesRead() {
        return body.bytesRead();
    }

    /** Where routing ended: connect to the sandbox, or answer here. */
    void routed(Routed routed) {
        clientAddress = routed.client();
        if (routed instanceof Connecting connecting) {
            admitted = connecting.admitted();
            target = connecting.admitted().target();
            connect(connecting.connect(), connecting.admitted().target());
        } else if (routed instanceof Refusing refusing) {
            target = refusing.target();
            FullHttpResponse refusal = render(refusing.failure());
            refusing.retryAfterSeconds().ifPresent(seconds -> refusal.headers().set(HttpHeaderNames.RETRY_AFTER, seconds));
            answer(refusal, refusing.failure().error());
        } else {
            Redirecting redirecting = (Redirecting) routed;
            target = redirecting.target();
            answer(redirecting.redirect(), null);
        }
    }

    private void connect(Connect connect, SandboxTarget target) {
        body.limit(connect.maxBodyBytes().orElse(Long.MAX_VALUE));
        portWaitRefreshes = PortWaitPage.refreshesSoFar(request.headers());
        SandboxAccess.strip(request, connect.protectedSandbox());
        state = State.CONNECTING;
        record = connect.record();
        backendKey = new BackendKey(connect.record().backendHost(), target.port());
        acquire();
    }

    private void acquire() {
        BackendKey key = Objects.requireNonNull(backendKey, "connect() chose the backend");
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
        endPortWait(GatewayMetrics.PortWaitResult.SERVED);
        this.backend = connection;
        this.connectNanos = connectNanos;
        this.state = State.RELAYING;
        Admitted route = admitted();
        ResponseRelay relay = new ResponseRelay(this, client, clientCtx, connection, request, upgrade != null,
                clientKeepAlive, route.target(), path.backend().responseTimeout());
        this.response = relay;
        connection.attach(relay);
        path.metrics().backendRequest(reused);
        body.connected(connection, this.connection, route, upgrade, grpc,
                Objects.requireNonNull(record, "connect() chose the record").rewrittenHost(route.target().port()));
        client.updateReading();
    }

    @Override
    public void onAcquireFailed(GatewayError failure, String detail) {
        if (state == State.FINISHED) {
            return;
        }
        if (failure == GatewayError.BACKEND_CONNECTION_REFUSED) {
            Duration wait = portStartupWait();
            if (!wait.isZero()) {
                awaitPort(wait);
                return;
            }
        }
        fail(FailureMessages.connectFailed(failure, detail, admitted().target(), path.backend().connectTimeout()));
    }

    private Duration portStartupWait() {
        Long own = Objects.requireNonNull(record, "connect() chose the record").portStartupWaitMillis();
        return own == null ? path.backend().portStartupWait() : Duration.ofMillis(own);
    }

    /**
     * The port refused the connection: most likely a server still starting. Hold the request and try
     * again shortly, until the port accepts or {@code wait} has passed; a request beyond the held
     * bounds is answered at once.
     */
    private void awaitPort(Duration wait) {
        SandboxTarget sandbox = admitted().target();
        if (portWait == null) {
            portWait = PortWait.start(path.held(), sandbox.sandboxId(), wait);
            if (portWait == null) {
                path.metrics().portWait(GatewayMetrics.PortWaitResult.OVER_LIMIT);
                fail(FailureMessages.portNotListening(sandbox, Duration.ZERO));
                return;
            }
        }
        if (!portWait.scheduleAttempt(clientCtx.executor(), this::acquireAgain)) {
            Duration waited = portWait.waited();
            endPortWait(GatewayMetrics.PortWaitResult.TIMED_OUT);
            fail(FailureMessages.portNotListening(sandbox, waited));
        }
    }

    /** Ends a port wait under way, if any: its place is given back, its pending attempt cancelled, its outcome counted. */
    private void endPortWait(GatewayMetrics.PortWaitResult result) {
        if (portWait != null) {
            portWait.end();
            portWait = null;
            path.metrics().portWait(result);
        }
    }

    private void acquireAgain() {
        if (state == State.CONNECTING) {
            acquire();
        }
    }

    /** Request body content from the client; released here or by the backend write. */
    public void onRequestContent(HttpContent content) {
        body.arrived(content);
        if (state == State.FINISHED) {
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            fail(FailureMessages.undecodable(content.decoderResult().cause()));
            return;
        }
        if (body.overLimit()) {
            content.release();
            // A body limit applies only once routing connected, so the sandbox is known.
            fail(FailureMessages.bodyTooLarge(body.maxBytes(), admitted().target()));
            return;
        }
        body.relay(content);
    }

    public void onRequestBodyTimeout() {
        if (state != State.FINISHED && !body.complete()) {
            fail(FailureMessages.requestBodyTimeout(path.timeouts().requestBodyIdle()));
        }
    }

    /** The client read batch ended: push what it produced to the backend. */
    public void flushToBackend() {
        body.flush();
    }

    /** The client can take more, or no more: resume or pause reading the response. */
    public void onClientWritabilityChanged(boolean writable) {
        if (state != State.FINISHED && backend != null) {
            backend.channel().config().setAutoRead(writable);
        }
    }

    /** The client connection closed mid-exchange: abandon the backend connection, whose state is unknown. */
    public void onClientClosed() {
        if (state != State.FINISHED) {
            finish(Ending.CLIENT_GONE, null);
        }
    }

    /** What routing admitted; set once it decided to connect, so everything from connecting on has it. */
    private Admitted admitted() {
        return Objects.requireNonNull(admitted, "routing has not connected");
    }

    /** The sandbox answered a WebSocket upgrade with an ordinary response: the client may send again. */
    void upgradeDeclined() {
        upgrade = null;
        client.updateReading();
    }

    /** The sandbox's response is complete with {@code last}, which is written now. */
    void responseComplete(LastHttpContent last, boolean closeClient, boolean backendKeepAlive) {
        boolean close = closeClient || !body.complete();
        finish(body.complete() && backendKeepAlive ? Ending.RELAYED : Ending.RELAYED_CLOSING, null);
        writeLast(last, close);
    }

    /** The sandbox's 101 is written: both connections become a tunnel. */
    void upgraded() {
        Channel backendChannel = Objects.requireNonNull(backend, "a 101 arrives on a backend connection").channel();
        finish(Ending.UPGRADED, null);
        client.switchToTunnel(backendChannel);
    }

    /**
     * Before the response started, the client gets an error response; after, its connection is cut
     * without completing the body, so a truncated body can never pass for a complete one.
     */
    void fail(Failure failure) {
        if (response != null && response.started()) {
            finish(Ending.ABORTED, failure.error());
            clientCtx.flush();
            clientCtx.close();
            client.exchangeFinished(this, true);
            return;
        }
        answer(render(failure), failure.error());
    }

    private FullHttpResponse render(Failure failure) {
        return FailureAnswers.render(path.errors(), clientCtx.alloc(), request, failure, target, requestId, grpc,
                portWaitRefreshes);
    }

    /** Sends a response the gateway made itself (an error, a redirect) in place of the sandbox's. */
    private void answer(FullHttpResponse answer, @Nullable GatewayError failure) {
        answeredStatus = answer.status().code();
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null) {
            GatewayCors.allow(answer.headers(), origin, path.origins().isSandboxOrigin(origin));
        }
        // A body still on its way would be read as the next request: close instead of draining it.
        boolean close = (hasBody && !body.complete()) || !clientKeepAlive || client.draining()
                || (failure != null && failure.closesConnection());
        if (close) {
            answer.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        finish(Ending.ANSWERED, failure);
        writeLast(answer, close);
    }

    /** Writes the exchange's last message, closing the client connection after it when {@code close}. */
    private void writeLast(Object last, boolean close) {
        if (close) {
            clientCtx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
        } else {
            clientCtx.writeAndFlush(last, clientCtx.voidPromise());
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
    private void finish(Ending ending, @Nullable GatewayError failure) {
        state = State.FINISHED;
        endPortWait(GatewayMetrics.PortWaitResult.CLIENT_GONE);
        body.discard();
        if (response != null) {
            response.done();
        }
        BackendConnection connection = backend;
        backend = null;
        if (connection != null) {
            switch (ending) {
                case RELAYED -> connection.release();
                case UPGRADED -> connection.detachForTunnel();
                default -> connection.discard();
            }
        }
        if (ending == Ending.ABORTED || ending == Ending.CLIENT_GONE) {
            path.metrics().abortedResponse();
        }
        boolean answered = ending == Ending.ANSWERED;
        int status = answered ? answeredStatus : response == null ? 0 : response.status();
        GatewayMetrics.Source source = answered ? GatewayMetrics.Source.GATEWAY : GatewayMetrics.Source.BACKEND;
        long duration = System.nanoTime() - startNanos;
        path.metrics().request(source, status == 0 ? 499 : status, duration);
        path.metrics().clientBytes(body.bytesRead(), response == null ? 0 : response.bytes());
        if (failure != null) {
            path.metrics().error(failure);
        }
        if (path.accessLog().enabled()) {
            HttpHeaders headers = request.headers();
            String protocol = ending == Ending.UPGRADED ? "ws" : grpc ? "grpc" : this.connection.http2() ? "h2" : "h1";
            String upstream = backendKey == null ? null : backendKey.authority();
            // The public host: a record's hostRewrite has replaced the request's own by now.
            String host = admitted != null ? admitted.requestTarget().host() : headers.get(HttpHeaderNames.HOST);
            path.accessLog().log(new AccessLog.Entry(clientAddress.text(), method, host,
                    uri, protocol, target == null ? null : target.sandboxId(), target == null ? 0 : target.port(),
                    upstream, status, body.bytesRead(), response == null ? 0 : response.bytes(), duration,
                    connectNanos, failure == null ? null : failure.code(), requestId,
                    TraceParent.traceId(headers.get(TraceParent.HEADER)), headers.get(HttpHeaderNames.USER_AGENT)));
        }
    }
}
