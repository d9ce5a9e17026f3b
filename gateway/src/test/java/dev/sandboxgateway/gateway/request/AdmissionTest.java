package dev.sandboxgateway.gateway.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.request.AdmissionVerdict.Admitted;
import dev.sandboxgateway.gateway.request.AdmissionVerdict.Redirected;
import dev.sandboxgateway.gateway.request.AdmissionVerdict.Rejected;
import dev.sandboxgateway.routing.host.HostParser;
import dev.sandboxgateway.routing.host.HostRules;
import dev.sandboxgateway.routing.host.LengthRange;
import dev.sandboxgateway.routing.host.SandboxTarget;
import dev.sandboxgateway.routing.policy.GatewayError;
import dev.sandboxgateway.routing.policy.PortRanges;
import dev.sandboxgateway.routing.policy.RateLimiter;
import dev.sandboxgateway.routing.policy.RoutingPolicy;
import dev.sandboxgateway.routing.registry.CidrBlock;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Every verdict of the first phase, from request heads and connection facts alone. */
@Tag("unit")
class AdmissionTest {

    private static final String HOST = "3000-abc-s1s1.sandbox.example.dev";
    private static final ClientAddress CLIENT = new ClientAddress("203.0.113.7", new byte[] {(byte) 203, 0, 113, 7});
    private static final ClientAddress PROXY = new ClientAddress("10.0.0.1", new byte[] {10, 0, 0, 1});
    private static final ConnectionFacts PLAIN = new ConnectionFacts(CLIENT, false, "8080", false, false);
    private static final HostParser HOSTS = new HostParser(new HostRules(List.of("sandbox.example.dev"),
            Set.of("sandbox.example.dev"), new LengthRange(1, 63), new LengthRange(1, 63)));
    private static final TrustedProxies PROXIES = new TrustedProxies(List.of(CidrBlock.parse("10.0.0.0/8")));

    /** A clock the rate limiters read; it never moves, so a spent token stays spent. */
    private long now = TimeUnit.HOURS.toNanos(1);

    private Admission admission(ClientLimits limits, OptionalInt httpsRedirectPort) {
        RoutingPolicy policy = new RoutingPolicy(PortRanges.parse(List.of("1024-65535")), PortRanges.parse(List.of("6379")));
        return new Admission(HOSTS, policy, PROXIES, limits, httpsRedirectPort);
    }

    private Admission open() {
        return admission(ClientLimits.NONE, OptionalInt.empty());
    }

    private RateLimiter onePerSecond() {
        return new RateLimiter(new RateLimiter.Rate(1, 1), 100, () -> now);
    }

    private static HttpRequest get(String uri, String host) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        if (host != null) {
            request.headers().set("Host", host);
        }
        return request;
    }

    private static Rejected rejected(AdmissionVerdict verdict, GatewayError error) {
        Rejected rejected = assertInstanceOf(Rejected.class, verdict);
        assertEquals(error, rejected.failure().error(), rejected.failure().message());
        return rejected;
    }

    @Test
    void aRequestForASandboxPortIsAdmitted() {
        Admitted admitted = assertInstanceOf(Admitted.class, open().admit(get("/app?x=1", HOST), PLAIN));

        assertEquals(new SandboxTarget(3000, "abc", "s1s1"), admitted.target());
        assertEquals(new RequestTarget(HOST, "/app?x=1"), admitted.requestTarget());
        assertEquals(CLIENT, admitted.client());
        assertFalse(admitted.viaTrustedProxy());
        assertFalse(admitted.https());
    }

    @Test
    void aConnectionOverTheGatewayLimitGetsOnly503s() {
        ClientLimits limits = new ClientLimits(OptionalInt.of(10), OptionalLong.empty(), Optional.empty(), Optional.empty());
        ConnectionFacts over = new ConnectionFacts(CLIENT, false, "8080", false, true);

        Rejected rejected = rejected(admission(limits, OptionalInt.empty()).admit(get("/", HOST), over),
                GatewayError.TOO_MANY_CONNECTIONS);
        assertTrue(rejected.failure().message().contains("(10)"), rejected.failure().message());
        assertNull(rejected.target());
    }

    @Test
    void connectIsRefused() {
        HttpRequest connect = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.CONNECT, HOST + ":443");
        rejected(open().admit(connect, PLAIN), GatewayError.METHOD_NOT_ALLOWED);
    }

    @Test
    void behindATrustedProxyTheClientIsTheOneItNames() {
        ConnectionFacts viaProxy = new ConnectionFacts(PROXY, false, "8080", false, false);
        HttpRequest request = get("/", HOST);
        request.headers().add("X-Forwarded-For", "198.51.100.9, 10.0.0.2");
        request.headers().add("X-Forwarded-Proto", "https");

        Admitted admitted = assertInstanceOf(Admitted.class, open().admit(request, viaProxy));

        assertEquals("198.51.100.9", admitted.client().text());
        assertTrue(admitted.viaTrustedProxy());
        assertTrue(admitted.https(), "the proxy's word on the scheme stands");
    }

    @Test
    void anUntrustedPeersForwardingHeadersAreIgnored() {
        HttpRequest request = get("/", HOST);
        request.headers().add("X-Forwarded-For", "198.51.100.9");
        request.headers().add("X-Forwarded-Proto", "https");

        Admitted admitted = assertInstanceOf(Admitted.class, open().admit(request, PLAIN));

        assertEquals(CLIENT, admitted.client());
        assertFalse(admitted.https());
    }

    @Test
    void aClientOverItsRateWaitsAndIsToldHowLong() {
        ClientLimits limits = new ClientLimits(OptionalInt.empty(), OptionalLong.empty(), Optional.of(onePerSecond()),
                Optional.empty());
        Admission admission = admission(limits, OptionalInt.empty());

        assertInstanceOf(Admitted.class, admission.admit(get("/", HOST), PLAIN));
        Rejected rejected = rejected(admission.admit(get("/", HOST), PLAIN), GatewayError.RATE_LIMITED);

        assertEquals(OptionalLong.of(1), rejected.retryAfterSeconds());
        assertEquals("Too many requests from 203.0.113.7. Retry in 1 s.", rejected.failure().message());
        assertNull(rejected.target(), "the client's rate is checked before the host is read");
    }

    @Test
    void aSandboxOverItsRateWaitsAndTheOtherSandboxesDoNot() {
        ClientLimits limits = new ClientLimits(OptionalInt.empty(), OptionalLong.empty(), Optional.empty(),
                Optional.of(onePerSecond()));
        Admission admission = admission(limits, OptionalInt.empty());

        assertInstanceOf(Admitted.class, admission.admit(get("/", HOST), PLAIN));
        Rejected rejected = rejected(admission.admit(get("/", HOST), PLAIN), GatewayError.RATE_LIMITED);
        assertInstanceOf(Admitted.class, admission.admit(get("/", "3000-other.sandbox.example.dev"), PLAIN));

        assertEquals("Too many requests to sandbox abc. Retry in 1 s.", rejected.failure().message());
        assertEquals(new SandboxTarget(3000, "abc", "s1s1"), rejected.target());
        assertEquals(OptionalLong.of(1), rejected.retryAfterSeconds());
    }

    @Test
    void anAbsoluteFormTargetIsReadAsItsHostAndOriginForm() {
        Admitted admitted = assertInstanceOf(Admitted.class,
                open().admit(get("http://" + HOST + "/app?x=1", HOST), PLAIN));

        assertEquals("/app?x=1", admitted.requestTarget().uri());
        assertEquals(HOST, admitted.requestTarget().host());
    }

    @Test
    void anAbsoluteFormTargetForAnotherHostIsABadRequest() {
        Rejected rejected = rejected(open().admit(get("http://3000-evil.sandbox.example.dev/", HOST), PLAIN),
                GatewayError.BAD_REQUEST);
        assertEquals("The Host header '" + HOST + "' does not match the request target.", rejected.failure().message());
    }

    @Test
    void aHostThatNamesNoSandboxIsInvalid() {
        for (String host : new String[] {"example.com", "abc.sandbox.example.dev", "99999-abc.sandbox.example.dev", null}) {
            Rejected rejected = rejected(open().admit(get("/", host), PLAIN), GatewayError.INVALID_HOST);
            String message = rejected.failure().message();
            assertTrue(Character.isUpperCase(message.charAt(0)) && message.endsWith("."), message);
        }
    }

    @Test
    void aSharedHostNamesTheSandboxInHeaders() {
        HttpRequest request = get("/", "sandbox.example.dev");
        request.headers().set("X-Sandbox-Id", "abc");
        request.headers().set("X-Sandbox-Port", "8080");

        Admitted admitted = assertInstanceOf(Admitted.class, open().admit(request, PLAIN));
        assertEquals(new SandboxTarget(8080, "abc", null), admitted.target());

        rejected(open().admit(get("/", "sandbox.example.dev"), PLAIN), GatewayError.INVALID_HOST);
    }

    @Test
    void aPortTheGatewayDeniesIsRefusedBeforeTheRegistryIsAsked() {
        for (String host : new String[] {"6379-abc.sandbox.example.dev", "22-abc.sandbox.example.dev"}) {
            Rejected rejected = rejected(open().admit(get("/", host), PLAIN), GatewayError.PORT_NOT_ALLOWED);
            assertEquals(rejected.target().port() + "", host.substring(0, host.indexOf('-')));
        }
    }

    @Test
    void plainRequestsAreRedirectedToHttpsWhenAsked() {
        Redirected redirected = assertInstanceOf(Redirected.class,
                admission(ClientLimits.NONE, OptionalInt.of(443)).admit(get("/a?b=c", HOST + ":8080"), PLAIN));
        assertEquals("https://" + HOST + "/a?b=c", redirected.location());

        Redirected otherPort = assertInstanceOf(Redirected.class,
                admission(ClientLimits.NONE, OptionalInt.of(8443)).admit(get("/", HOST), PLAIN));
        assertEquals("https://" + HOST + ":8443/", otherPort.location());

        ConnectionFacts tls = new ConnectionFacts(CLIENT, true, "8443", false, false);
        assertInstanceOf(Admitted.class, admission(ClientLimits.NONE, OptionalInt.of(443)).admit(get("/", HOST), tls));
    }

    @Test
    void theSchemeATrustedProxyReportsDecidesTheRedirect() {
        ConnectionFacts viaProxy = new ConnectionFacts(PROXY, false, "8080", false, false);
        for (String proto : new String[] {"https", "HTTPS", "https, http", "http", "httpsx"}) {
            HttpRequest request = get("/", HOST);
            request.headers().set("X-Forwarded-Proto", proto);
            AdmissionVerdict verdict = admission(ClientLimits.NONE, OptionalInt.of(443)).admit(request, viaProxy);
            boolean https = proto.equalsIgnoreCase("https") || proto.startsWith("https,");
            assertEquals(https ? Admitted.class : Redirected.class, verdict.getClass(), proto);
        }
    }
}
