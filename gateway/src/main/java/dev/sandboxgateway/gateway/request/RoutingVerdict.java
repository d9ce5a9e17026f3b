package dev.sandboxgateway.gateway.request;

import dev.sandboxgateway.routing.registry.SandboxRecord;
import java.util.OptionalLong;

/** What {@link RoutingDecision} decided once the registry answered. */
public sealed interface RoutingVerdict {

    /** The gateway answers with an error. */
    record Refused(Failure failure) implements RoutingVerdict {
    }

    /** The sandbox is paused or starting and a wake-up may bring it up: hold the request until it runs. */
    enum Wake implements RoutingVerdict {
        INSTANCE
    }

    /**
     * A browser opened a protected sandbox with {@code ?access_token=}: it gets a cookie for this host
     * and the same URL without the token.
     *
     * @param uri         the request target whose token parameter comes off
     * @param cookieValue the cookie that proves the token on this host
     * @param secure      whether the cookie is for https only
     */
    /**
     * @param secure    whether the client uses https (the cookie is then {@code Secure} and {@code __Host-})
     * @param crossSite whether the cookie is also sent inside other sites' iframes ({@code access.cookie.sameSite: none})
     */
    record CookieRedirect(String uri, String cookieValue, boolean secure, boolean crossSite) implements RoutingVerdict {
    }

    /**
     * Relay the request to the sandbox.
     *
     * @param record           the record it was admitted under; its {@code backendHost} is where to connect
     * @param maxBodyBytes     the request body limit that applies, or empty for none
     * @param protectedSandbox whether the sandbox needs an access token, whose query parameter then comes off
     */
    record Connect(SandboxRecord record, OptionalLong maxBodyBytes, boolean protectedSandbox) implements RoutingVerdict {
    }
}
