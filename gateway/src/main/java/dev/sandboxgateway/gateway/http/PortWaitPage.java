package dev.sandboxgateway.gateway.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Iterator;

/**
 * What a browser gets while a sandbox's port is not listening yet: the error page reloading itself
 * every {@value #REFRESH_SECONDS} s (a meta refresh: still no script), at most
 * {@value #MAX_REFRESHES} times in a row, counted in a cookie of the gateway's for that host. The
 * cookie never reaches the sandbox ({@link SandboxAccess#strip}).
 */
public final class PortWaitPage {

    public static final String COOKIE = "sandbox-gateway-port-wait";
    public static final int REFRESH_SECONDS = 3;
    static final int MAX_REFRESHES = 20;
    /** Long enough to span the refreshes, short enough that a later visit starts counting afresh. */
    private static final int COOKIE_MAX_AGE_SECONDS = 600;

    private PortWaitPage() {
    }

    /** How many times this browser reloaded the page in a row: the cookie's value, 0 without one. */
    public static int refreshesSoFar(HttpHeaders headers) {
        // Read for every request routed to a sandbox (before its cookie is stripped): no list is
        // made for one without cookies, or without this one.
        if (!headers.contains(HttpHeaderNames.COOKIE)) {
            return 0;
        }
        for (Iterator<String> values = headers.valueStringIterator(HttpHeaderNames.COOKIE); values.hasNext(); ) {
            String header = values.next();
            if (!header.contains(COOKIE)) {
                continue;
            }
            for (String pair : header.split(";")) {
                String trimmed = pair.trim();
                if (isCookie(trimmed)) {
                    try {
                        return Math.max(0, Integer.parseInt(trimmed.substring(COOKIE.length() + 1)));
                    } catch (NumberFormatException e) {
                        return 0;
                    }
                }
            }
        }
        return 0;
    }

    /** Whether the page should reload itself once more after {@code refreshes} reloads. */
    public static boolean refreshAgain(int refreshes) {
        return refreshes < MAX_REFRESHES;
    }

    /** The {@code Set-Cookie} value recording {@code refreshes}. */
    public static String cookie(int refreshes) {
        return COOKIE + "=" + refreshes + "; Path=/; Max-Age=" + COOKIE_MAX_AGE_SECONDS + "; HttpOnly; SameSite=Lax";
    }

    /** The {@code Set-Cookie} value that removes it once the page stops reloading. */
    public static String clearCookie() {
        return COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax";
    }

    static boolean isCookie(String pair) {
        return pair.startsWith(COOKIE) && pair.length() > COOKIE.length() && pair.charAt(COOKIE.length()) == '=';
    }
}
