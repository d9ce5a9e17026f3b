package dev.sandboxgateway.gateway.request;

import dev.sandboxgateway.gateway.http.SandboxAccess;
import dev.sandboxgateway.gateway.request.AdmissionVerdict.Admitted;
import dev.sandboxgateway.gateway.request.RoutingVerdict.Connect;
import dev.sandboxgateway.gateway.request.RoutingVerdict.CookieRedirect;
import dev.sandboxgateway.gateway.request.RoutingVerdict.Refused;
import dev.sandboxgateway.routing.policy.AccessTokens;
import dev.sandboxgateway.routing.policy.Credentials;
import dev.sandboxgateway.routing.policy.GatewayError;
import dev.sandboxgateway.routing.policy.RoutingPolicy;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The second phase of a request, once the registry answered: the routing policy (existence, client
 * address, access token, state, ports), a wake-up for a paused sandbox, the per-sandbox connection
 * limit, the body limit, and the exchange of a URL token for a cookie. Only a client that passed
 * every access check can wake a sandbox.
 */
public final class RoutingDecision {

    private final RoutingPolicy policy;
    private final ClientLimits limits;
    private final SandboxOrigins origins;
    private final boolean crossSiteCookies;

    /** @param crossSiteCookies {@code access.cookie.sameSite: none}: the access cookie works inside other sites' iframes */
    public RoutingDecision(RoutingPolicy policy, ClientLimits limits, SandboxOrigins origins, boolean crossSiteCookies) {
        this.policy = policy;
        this.limits = limits;
        this.origins = origins;
        this.crossSiteCookies = crossSiteCookies;
    }

    /**
     * @param admitted      what admission found out about the request
     * @param request       the request head, for its credentials, method and declared length
     * @param found         the registry's answer for the sandbox id
     * @param bodyBytesRead request body bytes that arrived while the registry was asked
     * @param mayWake       whether a wake-up can be asked for (one is configured and none was made yet)
     * @param upgrade       whether the request asks for a WebSocket upgrade
     * @param slots         where the connection is counted for its sandbox
     */
    public RoutingVerdict decide(Admitted admitted, HttpRequest request, Optional<SandboxRecord> found,
                                 long bodyBytesRead, boolean mayWake, boolean upgrade, SandboxSlots slots) {
        String token = found.isPresent() ? found.get().accessToken() : null;
        Credentials credentials = token == null ? Credentials.NONE
                : SandboxAccess.credentials(request, admitted.requestTarget().hostName());
        // A browser never sends credentials on a CORS preflight: one from a page the sandbox trusts reaches
        // it without, so its own answer decides. The request that follows needs its credentials as before.
        Optional<SandboxRecord> checked = token != null && trustedPreflight(request, found.get())
                ? Optional.of(found.get().withAccessToken(null)) : found;
        Optional<GatewayError> rejection = policy.rejection(admitted.target(), checked, admitted.client().bytes(),
                credentials);
        if (rejection.isPresent()) {
            GatewayError error = rejection.get();
            if (mayWake && (error == GatewayError.SANDBOX_PAUSED || error == GatewayError.SANDBOX_STARTING)) {
                return RoutingVerdict.Wake.INSTANCE;
            }
            return new Refused(FailureMessages.rejection(error, admitted.target()));
        }
        SandboxRecord record = found.get();
        if (!slots.take(admitted.target().sandboxId(), record)) {
            return new Refused(FailureMessages.sandboxConnectionLimit(admitted.target()));
        }
        OptionalLong bodyLimit = limits.maxRequestBodySize(record);
        if (bodyLimit.isPresent() && (HttpUtil.getContentLength(request, 0L) > bodyLimit.getAsLong()
                || bodyBytesRead > bodyLimit.getAsLong())) {
            return new Refused(FailureMessages.bodyTooLarge(bodyLimit.getAsLong(), admitted.target()));
        }
        if (token != null && credentials.header() == null && credentials.query() != null && !upgrade
                && (HttpMethod.GET.equals(request.method()) || HttpMethod.HEAD.equals(request.method()))) {
            return new CookieRedirect(admitted.requestTarget().uri(), AccessTokens.cookieValue(token, admitted.requestTarget().hostName()),
                    admitted.https(), crossSiteCookies);
        }
        return new Connect(record, bodyLimit, token != null);
    }

    /**
     * An {@code OPTIONS} request with {@code Origin} and {@code Access-Control-Request-Method} from a
     * page served through this gateway or one the sandbox lists in {@code allowedOrigins}. Preflights
     * from anyone else still need the token, so a private sandbox answers no one's unauthenticated
     * OPTIONS.
     */
    private boolean trustedPreflight(HttpRequest request, SandboxRecord record) {
        if (!HttpMethod.OPTIONS.equals(request.method())
                || !request.headers().contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD)) {
            return false;
        }
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        return origin != null && (origins.isSandboxOrigin(origin) || record.allowedOrigins().contains(origin));
    }
}
