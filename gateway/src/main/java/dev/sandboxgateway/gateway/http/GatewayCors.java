package dev.sandboxgateway.gateway.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * CORS headers on the responses the gateway makes itself (errors, redirects), so JavaScript on
 * another origin reads the error code, request id and Retry-After instead of an opaque network
 * error. Those responses hold nothing private, so any origin may read them; credentials are
 * allowed only for pages served through this gateway. A sandbox's own responses are never touched:
 * its CORS is its own.
 */
public final class GatewayCors {

    static final String EXPOSED = ErrorResponses.ERROR_HEADER + ", X-Request-Id, Retry-After";

    private GatewayCors() {
    }

    /**
     * @param origin      the request's {@code Origin}
     * @param credentials whether it is a page served through this gateway
     */
    public static void allow(HttpHeaders headers, String origin, boolean credentials) {
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.add(HttpHeaderNames.VARY, "Origin");
        headers.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED);
        if (credentials) {
            headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
    }
}
