package dev.sandboxgateway.gateway.relay;

import dev.sandboxgateway.gateway.http.ErrorResponses;
import dev.sandboxgateway.gateway.http.GrpcErrors;
import dev.sandboxgateway.gateway.http.PortWaitPage;
import dev.sandboxgateway.gateway.request.AcceptHeader;
import dev.sandboxgateway.gateway.request.Failure;
import dev.sandboxgateway.gateway.request.RequestIds;
import dev.sandboxgateway.routing.host.SandboxTarget;
import dev.sandboxgateway.routing.policy.GatewayError;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import org.jspecify.annotations.Nullable;

/**
 * A failure as the client that made the request should get it: gRPC trailers for a gRPC call, else
 * the page a browser prefers or JSON, with the request id, {@code Retry-After} on what is worth
 * retrying, and for a port still starting the page that reloads itself a bounded number of times.
 */
final class FailureAnswers {

    /** Retry-After on the gateway's 503s and port_not_listening, unless a verdict says otherwise. */
    static final int RETRY_AFTER_SECONDS = 2;

    private FailureAnswers() {
    }

    /**
     * @param target            the sandbox port named, or {@code null} when unknown
     * @param portWaitRefreshes how often the browser reloaded the port_not_listening page so far
     */
    static FullHttpResponse render(ErrorResponses errors, ByteBufAllocator alloc, HttpRequest request, Failure failure,
                                   @Nullable SandboxTarget target, String requestId, boolean grpc,
                                   int portWaitRefreshes) {
        GatewayError error = failure.error();
        if (grpc) {
            FullHttpResponse trailers = GrpcErrors.render(error, failure.message());
            trailers.headers().set(RequestIds.HEADER, requestId);
            return trailers;
        }
        // Parsed only for an error: most requests never need it, and a browser's Accept header is long.
        boolean html = AcceptHeader.prefersHtml(request.headers().get(HttpHeaderNames.ACCEPT));
        FullHttpResponse answer;
        if (html && error == GatewayError.PORT_NOT_LISTENING) {
            boolean again = PortWaitPage.refreshAgain(portWaitRefreshes);
            answer = errors.render(alloc, error, again ? failure.message()
                    : failure.message() + " The page has stopped reloading; reload it once the server runs.",
                    target, requestId, true, again ? PortWaitPage.REFRESH_SECONDS : 0);
            answer.headers().add(HttpHeaderNames.SET_COOKIE,
                    again ? PortWaitPage.cookie(portWaitRefreshes + 1) : PortWaitPage.clearCookie());
        } else {
            answer = errors.render(alloc, error, failure.message(), target, requestId, html);
        }
        if (error.status() == 503 || error == GatewayError.PORT_NOT_LISTENING) {
            // The routing verdict may set its own (a rate limit's wait) after this.
            answer.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        return answer;
    }
}
