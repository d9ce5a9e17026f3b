package dev.sandboxgateway.gateway.http;

import io.netty.handler.codec.http.HttpVersion;

/**
 * How a sandbox response is framed towards the client.
 *
 * @param bodyless       the response cannot have a body (a HEAD request, 1xx, 204 or 304)
 * @param closeClient    the client connection closes after this response
 * @param clientProtocol the protocol version the client spoke
 */
public record ResponseFraming(boolean bodyless, boolean closeClient, HttpVersion clientProtocol) {

    /** An interim (1xx) response: no body, and the connection stays open for the final response. */
    public static ResponseFraming interim(HttpVersion clientProtocol) {
        return new ResponseFraming(true, false, clientProtocol);
    }
}
