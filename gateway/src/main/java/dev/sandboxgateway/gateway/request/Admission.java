package dev.sandboxgateway.gateway.request;

import dev.sandboxgateway.gateway.request.AdmissionVerdict.Admitted;
import dev.sandboxgateway.gateway.request.AdmissionVerdict.Redirected;
import dev.sandboxgateway.gateway.request.AdmissionVerdict.Rejected;
import dev.sandboxgateway.routing.host.HostParser;
import dev.sandboxgateway.routing.host.InvalidHost;
import dev.sandboxgateway.routing.host.ParsedHost;
import dev.sandboxgateway.routing.host.SandboxTarget;
import dev.sandboxgateway.routing.host.SharedHost;
import dev.sandboxgateway.routing.policy.GatewayError;
import dev.sandboxgateway.routing.policy.RateLimiter;
import dev.sandboxgateway.routing.policy.RoutingPolicy;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The first phase of a request: what can be decided from its head and its connection alone, before
 * the registry is asked. In order: the connection limit, CONNECT, who the client is (behind trusted
 * proxies), the client's rate, which sandbox port the host names, the redirect to https, the
 * gateway-wide port rule, and the sandbox's rate. Rate limits take a token as they are checked,
 * so a request refused earlier costs no token of a later limit.
 */
public final class Admission {

    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString X_SANDBOX_ID = AsciiString.cached("x-sandbox-id");
    private static final AsciiString X_SANDBOX_PORT = AsciiString.cached("x-sandbox-port");

    private final HostParser hostParser;
    private final RoutingPolicy policy;
    private final TrustedProxies trustedProxies;
    private final ClientLimits limits;
    private final OptionalInt httpsRedirectPort;

    /**
     * @param httpsRedirectPort the https port to redirect plain requests to ({@code tls.redirectHttp}),
     *                          or empty to serve them
     */
    public Admission(HostParser hostParser, RoutingPolicy policy, TrustedProxies trustedProxies, ClientLimits limits,
                     OptionalInt httpsRedirectPort) {
        this.hostParser = hostParser;
        this.policy = policy;
        this.trustedProxies = trustedProxies;
        this.limits = limits;
        this.httpsRedirectPort = httpsRedirectPort;
    }

    /** Whether {@code peer} is one of {@code security.trustedProxies}, whose forwarding headers count. */
    public boolean trustsPeer(ClientAddress peer) {
        return !trustedProxies.isEmpty() && trustedProxies.trusts(peer.bytes());
    }

    public AdmissionVerdict admit(HttpRequest request, ConnectionFacts connection) {
        ClientAddress peer = connection.peer();
        if (connection.overConnectionLimit()) {
            return new Rejected(peer, FailureMessages.tooManyConnections(limits.maxConnections().orElse(0)));
        }
        if (HttpMethod.CONNECT.equals(request.method())) {
            return new Rejected(peer, FailureMessages.connectNotSupported());
        }
        HttpHeaders headers = request.headers();
        boolean trustedPeer = trustsPeer(peer);
        ClientAddress client = trustedPeer ? trustedProxies.clientBehind(headers.getAll(X_FORWARDED_FOR), peer) : peer;
        OptionalLong clientWait = waitFor(limits.perClientRate(), client.text());
        if (clientWait.isPresent()) {
            return rateLimited(client, "from " + client.text(), null, clientWait.getAsLong());
        }
        String hostHeader = headers.get(HttpHeaderNames.HOST);
        Optional<RequestTarget> read = RequestTarget.read(hostHeader, request.uri());
        if (read.isEmpty()) {
            return new Rejected(client, FailureMessages.hostMismatch(hostHeader));
        }
        RequestTarget requestTarget = read.get();
        ParsedHost parsed = hostParser.parse(requestTarget.host());
        if (parsed == SharedHost.INSTANCE) {
            parsed = hostParser.parseHeaders(headers.get(X_SANDBOX_ID), headers.get(X_SANDBOX_PORT));
        }
        if (parsed instanceof InvalidHost invalid) {
            return new Rejected(client, FailureMessages.invalidHost(invalid.reason()));
        }
        SandboxTarget target = (SandboxTarget) parsed;
        boolean https = clientUsedHttps(headers, trustedPeer, connection.secure());
        if (httpsRedirectPort.isPresent() && !https) {
            int port = httpsRedirectPort.getAsInt();
            return new Redirected(client, target, "https://" + requestTarget.hostWithoutPort() + (port == 443 ? "" : ":" + port)
                    + requestTarget.uri());
        }
        if (!policy.portAllowed(target.port())) {
            return new Rejected(client, FailureMessages.rejection(GatewayError.PORT_NOT_ALLOWED, target), target,
                    OptionalLong.empty());
        }
        OptionalLong sandboxWait = waitFor(limits.perSandboxRate(), target.sandboxId());
        if (sandboxWait.isPresent()) {
            return rateLimited(client, "to sandbox " + target.sandboxId(), target, sandboxWait.getAsLong());
        }
        return new Admitted(client, trustedPeer, https, target, requestTarget);
    }

    /** How long {@code key} must wait for a token of {@code limiter}; empty when it has one now (or no limit applies). */
    private static OptionalLong waitFor(Optional<RateLimiter> limiter, String key) {
        if (limiter.isEmpty()) {
            return OptionalLong.empty();
        }
        long waitNanos = limiter.get().acquire(key);
        return waitNanos == 0 ? OptionalLong.empty() : OptionalLong.of(waitNanos);
    }

    private static Rejected rateLimited(ClientAddress client, String whom, @Nullable SandboxTarget target,
                                        long waitNanos) {
        long seconds = ClientLimits.retryAfterSeconds(waitNanos);
        return new Rejected(client, FailureMessages.rateLimited(whom, seconds), target, OptionalLong.of(seconds));
    }

    /**
     * Whether the client used https: what a trusted proxy says in X-Forwarded-Proto, else whether
     * its connection to the gateway is TLS.
     */
    static boolean clientUsedHttps(HttpHeaders headers, boolean trustedPeer, boolean secure) {
        String proto = trustedPeer ? headers.get(X_FORWARDED_PROTO) : null;
        if (proto == null) {
            return secure;
        }
        return proto.regionMatches(true, 0, "https", 0, 5)
                && (proto.length() == 5 || proto.charAt(5) == ',' || proto.charAt(5) == ' ');
    }
}
