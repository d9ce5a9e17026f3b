package dev.sandboxgateway.gateway.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Rewrites headers as a message crosses the gateway (RFC 9110 section 7.6.1): hop-by-hop headers
 * are dropped in both directions, and the framing the next hop needs is set again, since the
 * codec re-frames bodies (chunked stays chunked, a length stays a length).
 */
public final class HopByHopHeaders {

    public static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    public static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString PROXY_AUTHENTICATE = HttpHeaderNames.PROXY_AUTHENTICATE;
    private static final AsciiString PROXY_AUTHORIZATION = HttpHeaderNames.PROXY_AUTHORIZATION;
    private static final AsciiString SANDBOX_ID = AsciiString.cached("x-sandbox-id");
    private static final AsciiString SANDBOX_PORT = AsciiString.cached("x-sandbox-port");
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    private static final AsciiString FORWARDED = AsciiString.cached("forwarded");

    private HopByHopHeaders() {
    }

    /**
     * Prepares a client request for the sandbox. Routing headers are removed. Forwarding headers
     * from a trusted proxy are extended with its address; from anyone else they are replaced by
     * the gateway's own view of the client, or anyone could spoof their address to the sandbox.
     *
     * @param upgrade     the WebSocket upgrade token to keep, or {@code null} when not upgrading
     * @param peer        the connection's peer address (a proxy, when trusted)
     * @param trustedPeer whether the peer is one of the trusted proxies
     * @param host        the host the request was addressed to; empty when it named none
     * @param localPort   the gateway port the client reached
     * @param secure      whether the client reached the gateway over TLS
     */
    public static void rewriteRequest(HttpRequest request, @Nullable String upgrade, String peer, boolean trustedPeer,
                                      String host, String localPort, boolean secure) {
        HttpHeaders headers = request.headers();
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        removeHopByHop(headers);
        if (chunked) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        if (upgrade != null) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            headers.set(HttpHeaderNames.UPGRADE, upgrade);
        }
        headers.remove(SANDBOX_ID);
        headers.remove(SANDBOX_PORT);
        if (trustedPeer) {
            List<String> chain = headers.getAll(X_FORWARDED_FOR);
            headers.set(X_FORWARDED_FOR, chain.isEmpty() ? peer : String.join(", ", chain) + ", " + peer);
            setIfAbsent(headers, X_FORWARDED_PROTO, secure ? "https" : "http");
            if (!host.isEmpty()) {
                setIfAbsent(headers, X_FORWARDED_HOST, host);
            }
            setIfAbsent(headers, X_FORWARDED_PORT, localPort);
        } else {
            headers.remove(FORWARDED);
            headers.set(X_FORWARDED_FOR, peer);
            headers.set(X_FORWARDED_PROTO, secure ? "https" : "http");
            if (!host.isEmpty()) {
                headers.set(X_FORWARDED_HOST, host);
            } else {
                headers.remove(X_FORWARDED_HOST);
            }
            headers.set(X_FORWARDED_PORT, localPort);
        }
        // Backend connections are always HTTP/1.1 so they can be kept alive, whatever the client spoke.
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
    }

    /**
     * Whether an HTTP/2 request is a gRPC call ({@code application/grpc} or {@code application/grpc+proto}
     * and the like): it then needs trailers end to end. gRPC-Web ({@code application/grpc-web}) works
     * over HTTP/1.1 and is relayed like any request.
     */
    public static boolean isGrpc(HttpRequest request) {
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        return type != null && type.regionMatches(true, 0, "application/grpc", 0, 16)
                && (type.length() == 16 || type.charAt(16) == '+' || type.charAt(16) == ';');
    }

    private static void setIfAbsent(HttpHeaders headers, AsciiString name, String value) {
        if (!headers.contains(name)) {
            headers.set(name, value);
        }
    }

    /**
     * Prepares a sandbox's 101 answer to a WebSocket upgrade: the handshake headers stay, every other
     * hop-by-hop header goes. A 101 that names no protocol is passed on as an interim response.
     */
    public static void rewriteSwitchingProtocols(HttpResponse response, HttpVersion clientProtocol) {
        HttpHeaders headers = response.headers();
        String upgradeToken = headers.get(HttpHeaderNames.UPGRADE);
        if (upgradeToken == null) {
            rewriteResponse(response, ResponseFraming.interim(clientProtocol));
            return;
        }
        removeHopByHop(headers);
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        headers.set(HttpHeaderNames.UPGRADE, upgradeToken);
    }

    /**
     * Prepares a sandbox response for the client. A body of unknown length (chunked, or delimited
     * by the sandbox closing its connection) is sent chunked to HTTP/1.1 clients, so their
     * connection stays reusable; HTTP/1.0 clients get it delimited by close.
     *
     * @return whether the body must be delimited by closing the client connection
     */
    public static boolean rewriteResponse(HttpResponse response, ResponseFraming framing) {
        HttpHeaders headers = response.headers();
        boolean unknownLength = HttpUtil.isTransferEncodingChunked(response)
                || !headers.contains(HttpHeaderNames.CONTENT_LENGTH);
        removeHopByHop(headers);
        HttpVersion clientProtocol = framing.clientProtocol();
        boolean closeDelimited = false;
        if (unknownLength && !framing.bodyless()) {
            if (HttpVersion.HTTP_1_0.equals(clientProtocol)) {
                closeDelimited = true;
            } else {
                headers.remove(HttpHeaderNames.CONTENT_LENGTH);
                headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
        }
        if (framing.closeClient() || closeDelimited) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (HttpVersion.HTTP_1_0.equals(clientProtocol)) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return closeDelimited;
    }

    private static void removeHopByHop(HttpHeaders headers) {
        List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
        for (String value : connection) {
            int start = 0;
            while (start < value.length()) {
                int end = value.indexOf(',', start);
                if (end < 0) {
                    end = value.length();
                }
                String token = value.substring(start, end).trim();
                if (!token.isEmpty()) {
                    headers.remove(token);
                }
                start = end + 1;
            }
        }
        headers.remove(HttpHeaderNames.CONNECTION);
        headers.remove(KEEP_ALIVE);
        headers.remove(PROXY_CONNECTION);
        headers.remove(PROXY_AUTHENTICATE);
        headers.remove(PROXY_AUTHORIZATION);
        headers.remove(HttpHeaderNames.TE);
        headers.remove(HttpHeaderNames.TRAILER);
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        headers.remove(HttpHeaderNames.UPGRADE);
    }

    /** Whether {@code message} asks to switch to WebSocket: {@code Connection: upgrade} and {@code Upgrade: websocket}. */
    public static @Nullable String webSocketUpgrade(HttpMessage message) {
        HttpHeaders headers = message.headers();
        String upgrade = headers.get(HttpHeaderNames.UPGRADE);
        if (upgrade == null || !upgrade.trim().equalsIgnoreCase("websocket")) {
            return null;
        }
        return headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true) ? upgrade.trim() : null;
    }
}
