package dev.sandboxgateway.gateway.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Sends a sandbox's dev server the Host it expects ({@code hostRewrite} of its record) instead of
 * the public one: Vite, webpack-dev-server and Next.js refuse unknown Host and Origin values to stop
 * DNS rebinding, which a sandbox URL is to them. The public host still reaches the sandbox in
 * {@code X-Forwarded-Host}. An {@code Origin} that is the sandbox URL's own origin is rewritten to
 * match, so a same-origin request stays same-origin (a dev server's WebSocket checks it); any other
 * origin passes unchanged, so cross-origin stays cross-origin.
 */
public final class HostRewrite {

    private HostRewrite() {
    }

    /**
     * @param host         the Host to send
     * @param publicHost   the Host the client used ({@code 5173-abc.sandbox.example.dev[:port]})
     * @param clientHttps  whether the client used https (its Origin's scheme)
     */
    public static void apply(HttpHeaders headers, String host, String publicHost, boolean clientHttps) {
        headers.set(HttpHeaderNames.HOST, host);
        String origin = headers.get(HttpHeaderNames.ORIGIN);
        if (origin != null && isOwnOrigin(origin, publicHost, clientHttps)) {
            headers.set(HttpHeaderNames.ORIGIN, "http://" + host);
        }
    }

    static boolean isOwnOrigin(String origin, String publicHost, boolean clientHttps) {
        String scheme = clientHttps ? "https://" : "http://";
        if (!origin.regionMatches(true, 0, scheme, 0, scheme.length())) {
            return false;
        }
        String originHost = origin.substring(scheme.length());
        String defaultPort = clientHttps ? ":443" : ":80";
        String bare = publicHost.endsWith(defaultPort)
                ? publicHost.substring(0, publicHost.length() - defaultPort.length()) : publicHost;
        return originHost.equalsIgnoreCase(publicHost) || originHost.equalsIgnoreCase(bare);
    }
}
