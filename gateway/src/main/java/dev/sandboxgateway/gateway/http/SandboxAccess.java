package dev.sandboxgateway.gateway.http;

import dev.sandboxgateway.routing.policy.AccessTokens;
import dev.sandboxgateway.routing.policy.Credentials;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.netty.util.AsciiString;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads the credentials a request presents to a token-protected sandbox, exchanges a token given
 * in the URL for a cookie, and removes every credential before the request reaches the sandbox.
 */
public final class SandboxAccess {

    static final AsciiString TOKEN_HEADER = AsciiString.cached("x-access-token");
    static final String QUERY_PARAMETER = "access_token";
    /** The access cookie's name over https. */
    static final String HOST_PREFIXED_COOKIE = "__Host-" + AccessTokens.COOKIE_NAME;

    private SandboxAccess() {
    }

    public static Credentials credentials(HttpRequest request, String host) {
        return new Credentials(request.headers().get(TOKEN_HEADER), queryToken(request.uri()),
                cookie(request.headers()), host);
    }

    /**
     * Removes what only the gateway may see: the token header and the gateway's cookies (the access
     * token's, {@link PortWaitPage}'s) always; the query parameter only for a protected sandbox,
     * since elsewhere it may be the application's own.
     */
    public static void strip(HttpRequest request, boolean protectedSandbox) {
        HttpHeaders headers = request.headers();
        headers.remove(TOKEN_HEADER);
        List<String> cookies = headers.getAll(HttpHeaderNames.COOKIE);
        if (!cookies.isEmpty() && cookies.stream().anyMatch(c -> c.contains(AccessTokens.COOKIE_NAME)
                || c.contains(PortWaitPage.COOKIE))) {
            headers.remove(HttpHeaderNames.COOKIE);
            StringBuilder kept = new StringBuilder();
            for (String header : cookies) {
                for (String pair : header.split(";")) {
                    String trimmed = pair.trim();
                    if (!trimmed.isEmpty() && !isOurCookie(trimmed) && !PortWaitPage.isCookie(trimmed)) {
                        kept.append(kept.length() == 0 ? "" : "; ").append(trimmed);
                    }
                }
            }
            if (kept.length() > 0) {
                headers.set(HttpHeaderNames.COOKIE, kept.toString());
            }
        }
        if (protectedSandbox) {
            String uri = withoutToken(request.uri());
            if (uri != null) {
                request.setUri(uri);
            }
        }
    }

    /**
     * The answer to a browser that opened a protected sandbox URL with {@code ?access_token=}: a
     * cookie for this exact host (no Domain attribute, so no other sandbox host gets it), and a
     * redirect to the same URL without the token, so it stays out of history and Referer.
     */
    public static FullHttpResponse cookieRedirect(String uri, String cookieValue, boolean secure, boolean crossSite) {
        String location = withoutToken(uri);
        // Over https the name carries the __Host- prefix: browsers then accept it only Secure, for this
        // exact host and path /, so no sibling host or plain-http page can plant or shadow it.
        DefaultCookie cookie = new DefaultCookie(secure ? HOST_PREFIXED_COOKIE : AccessTokens.COOKIE_NAME, cookieValue);
        cookie.setPath("/");
        cookie.setHttpOnly(true);
        cookie.setSecure(secure);
        if (secure && crossSite) {
            cookie.setSameSite(CookieHeaderNames.SameSite.None);
            cookie.setPartitioned(true);
        } else {
            cookie.setSameSite(CookieHeaderNames.SameSite.Lax);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.FOUND,
                Unpooled.EMPTY_BUFFER);
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.LOCATION, location == null ? uri : location);
        headers.set(HttpHeaderNames.SET_COOKIE, ServerCookieEncoder.STRICT.encode(cookie));
        headers.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        headers.set("Referrer-Policy", "no-referrer");
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        return response;
    }

    private static boolean isOurCookie(String pair) {
        return valueOf(pair, AccessTokens.COOKIE_NAME) != null || valueOf(pair, HOST_PREFIXED_COOKIE) != null;
    }

    /** The value of {@code name=value}, or {@code null} when the pair is another cookie. */
    private static @Nullable String valueOf(String pair, String name) {
        return pair.startsWith(name) && pair.length() > name.length() && pair.charAt(name.length()) == '='
                ? pair.substring(name.length() + 1) : null;
    }

    private static @Nullable String cookie(HttpHeaders headers) {
        for (String header : headers.getAll(HttpHeaderNames.COOKIE)) {
            for (String pair : header.split(";")) {
                String trimmed = pair.trim();
                String value = valueOf(trimmed, HOST_PREFIXED_COOKIE);
                if (value == null) {
                    value = valueOf(trimmed, AccessTokens.COOKIE_NAME);
                }
                if (value != null) {
                    return value;
                }
            }
        }
        return null;
    }

    private static @Nullable String queryToken(String uri) {
        int query = uri.indexOf('?');
        if (query < 0 || uri.indexOf(QUERY_PARAMETER, query) < 0) {
            return null;
        }
        List<String> values = new QueryStringDecoder(uri).parameters().get(QUERY_PARAMETER);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The URI with every {@code access_token} parameter removed, or {@code null} when it has none. */
    public static @Nullable String withoutToken(String uri) {
        int query = uri.indexOf('?');
        if (query < 0 || uri.indexOf(QUERY_PARAMETER, query) < 0) {
            return null;
        }
        int fragment = uri.indexOf('#', query);
        String end = fragment < 0 ? "" : uri.substring(fragment);
        String params = uri.substring(query + 1, fragment < 0 ? uri.length() : fragment);
        StringBuilder kept = new StringBuilder();
        boolean removed = false;
        for (String param : params.split("&")) {
            if (param.equals(QUERY_PARAMETER) || param.startsWith(QUERY_PARAMETER + "=")) {
                removed = true;
            } else if (!param.isEmpty()) {
                kept.append(kept.length() == 0 ? "" : "&").append(param);
            }
        }
        if (!removed) {
            return null;
        }
        return uri.substring(0, query) + (kept.length() == 0 ? "" : "?" + kept) + end;
    }
}
