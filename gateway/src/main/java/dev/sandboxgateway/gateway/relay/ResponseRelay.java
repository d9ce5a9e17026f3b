package dev.sandboxgateway.gateway.relay;

import dev.sandboxgateway.gateway.backend.BackendConnection;
import dev.sandboxgateway.gateway.backend.BackendExchange;
import dev.sandboxgateway.gateway.http.HopByHopHeaders;
import dev.sandboxgateway.gateway.http.ResponseFraming;
import dev.sandboxgateway.gateway.request.FailureMessages;
import dev.sandboxgateway.gateway.request.RequestIds;
import dev.sandboxgateway.routing.host.SandboxTarget;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;

/**
 * One sandbox response on its way to the client: the other direction of an {@link Exchange}, with
 * states of its own. Interim (1xx) responses pass through, the final head is reframed for the
 * client, the body streams with backpressure (the sandbox is not read while the client cannot take
 * more), and a 101 to a WebSocket upgrade hands both connections to a tunnel. A failure, the end of
 * the response and the switch to a tunnel are the exchange's to settle.
 */
final class ResponseRelay implements BackendExchange {

    private enum State {
        AWAITING_HEAD,
        /** An interim response is being relayed; the final one follows. */
        INTERIM,
        /** The final head was written; the body streams. */
        STREAMING,
        /** The sandbox accepted a WebSocket upgrade; the tunnel starts once its 101 is complete. */
        SWITCHING_PROTOCOLS,
        /** The exchange ended: whatever still arrives is released. */
        DONE
    }

    private final Exchange exchange;
    private final ClientSide client;
    private final ChannelHandlerContext clientCtx;
    private final BackendConnection backend;
    private final HttpRequest request;
    private final boolean upgradeAsked;
    private final boolean clientKeepAlive;
    private final SandboxTarget target;
    private final Duration responseTimeout;
    private final SendSizeLimit toClient = new SendSizeLimit();
    private State state = State.AWAITING_HEAD;
    private int status;
    private long bytes;
    private boolean closeClient;
    private boolean backendKeepAlive;

    /**
     * @param upgradeAsked    whether the request asked for a WebSocket upgrade
     * @param clientKeepAlive whether the client asked to keep its connection
     * @param responseTimeout how long the head may take, for the message when it does not come
     */
    ResponseRelay(Exchange exchange, ClientSide client, ChannelHandlerContext clientCtx, BackendConnection backend,
                  HttpRequest request, boolean upgradeAsked, boolean clientKeepAlive, SandboxTarget target,
                  Duration responseTimeout) {
        this.exchange = exchange;
        this.client = client;
        this.clientCtx = clientCtx;
        this.backend = backend;
        this.request = request;
        this.upgradeAsked = upgradeAsked;
        this.clientKeepAlive = clientKeepAlive;
        this.target = target;
        this.responseTimeout = responseTimeout;
    }

    /** Whether the client was sent part of the response: a failure can then only cut its connection. */
    boolean started() {
        return state == State.INTERIM || state == State.STREAMING || state == State.SWITCHING_PROTOCOLS;
    }

    /** The final status relayed (101 included), or 0 before one. */
    int status() {
        return status;
    }

    /** Body bytes relayed. */
    long bytes() {
        return bytes;
    }

    /** The exchange ended: nothing more is relayed. */
    void done() {
        state = State.DONE;
    }

    @Override
    public void onResponse(HttpObject message) {
        if (state == State.DONE) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (message.decoderResult().isFailure()) {
            ReferenceCountUtil.release(message);
            exchange.fail(FailureMessages.badResponse(target));
            return;
        }
        if (message instanceof HttpResponse response) {
            // An HTTP/2 sandbox's response that is all headers (a gRPC trailers-only answer) arrives as one
            // message: it is written once, as the last content, so it stays one HEADERS frame.
            head(response, message instanceof HttpContent);
        }
        if (message instanceof HttpContent content) {
            content(content);
        }
    }

    private void head(HttpResponse response, boolean alsoContent) {
        backend.responseStarted();
        int code = response.status().code();
        if (code == 101) {
            if (!upgradeAsked) {
                exchange.fail(FailureMessages.unaskedSwitch(target));
                return;
            }
            status = code;
            state = State.SWITCHING_PROTOCOLS;
            HopByHopHeaders.rewriteSwitchingProtocols(response, request.protocolVersion());
            returnRequestId(response);
            clientCtx.write(response);
            return;
        }
        if (code < 200) {
            state = State.INTERIM;
            HopByHopHeaders.rewriteResponse(response, ResponseFraming.interim(request.protocolVersion()));
            if (!alsoContent) {
                clientCtx.write(response);
            }
            return;
        }
        if (upgradeAsked) {
            exchange.upgradeDeclined();
        }
        status = code;
        state = State.STREAMING;
        boolean bodyless = HttpMethod.HEAD.equals(request.method()) || code == 204 || code == 304;
        closeClient = !clientKeepAlive || client.draining();
        backendKeepAlive = HttpUtil.isKeepAlive(response);
        if (HopByHopHeaders.rewriteResponse(response, new ResponseFraming(bodyless, closeClient,
                request.protocolVersion()))) {
            closeClient = true;
        }
        returnRequestId(response);
        if (!alsoContent) {
            // No promise: nothing waits on the head alone, and a failed write reaches exceptionCaught, which closes.
            clientCtx.write(response, clientCtx.voidPromise());
        }
    }

    /** The id the sandbox was sent, so the client can quote it; the sandbox's own value, if any, is replaced. */
    private void returnRequestId(HttpResponse response) {
        String id = request.headers().get(RequestIds.HEADER);
        if (id != null) {
            response.headers().set(RequestIds.HEADER, id);
        }
    }

    private void content(HttpContent content) {
        if (state == State.DONE) {
            // The head ended the exchange (an unasked 101): its content goes nowhere.
            content.release();
            return;
        }
        bytes += content.content().readableBytes();
        if (state == State.SWITCHING_PROTOCOLS) {
            content.release();
            exchange.upgraded();
            return;
        }
        if (state == State.INTERIM) {
            if (content instanceof LastHttpContent) {
                state = State.AWAITING_HEAD;
            }
            clientCtx.write(content);
            return;
        }
        if (content instanceof LastHttpContent last) {
            exchange.responseComplete(last, closeClient, backendKeepAlive);
            return;
        }
        toClient.write(clientCtx, content, content.content().readableBytes());
        if (!clientCtx.channel().isWritable()) {
            backend.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void onResponseReadComplete() {
        if (state != State.DONE) {
            toClient.flush(clientCtx);
        }
    }

    @Override
    public void onBackendWritabilityChanged(boolean writable) {
        client.updateReading();
    }

    @Override
    public void onBackendClosed() {
        if (state != State.DONE) {
            exchange.fail(FailureMessages.backendClosed(target));
        }
    }

    @Override
    public void onResponseTimeout() {
        if (state == State.AWAITING_HEAD || state == State.INTERIM) {
            exchange.fail(FailureMessages.responseTimeout(target, responseTimeout));
        }
    }
}
