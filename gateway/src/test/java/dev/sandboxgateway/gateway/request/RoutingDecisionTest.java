package dev.sandboxgateway.gateway.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.request.AdmissionVerdict.Admitted;
import dev.sandboxgateway.gateway.request.RoutingVerdict.Connect;
import dev.sandboxgateway.gateway.request.RoutingVerdict.CookieRedirect;
import dev.sandboxgateway.gateway.request.RoutingVerdict.Refused;
import dev.sandboxgateway.routing.host.SandboxTarget;
import dev.sandboxgateway.routing.policy.AccessTokens;
import dev.sandboxgateway.routing.policy.GatewayError;
import dev.sandboxgateway.routing.policy.RoutingPolicy;
import dev.sandboxgateway.routing.registry.CidrBlock;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.registry.SandboxState;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Every verdict of the second phase, once the registry answered. */
@Tag("unit")
class RoutingDecisionTest {

    private static final String HOST = "3000-abc.sandbox.example.dev";
    private static final SandboxTarget TARGET = new SandboxTarget(3000, "abc", null);
    private static final Admitted ADMITTED = new Admitted(
            new ClientAddress("203.0.113.7", new byte[] {(byte) 203, 0, 113, 7}), false, true, TARGET,
            new RequestTarget(HOST + ":443", "/app?access_token=t0k3n&x=1"));
    private static final SandboxRecord RUNNING = SandboxRecord.running("abc", "10.0.0.5");
    private static final SandboxRecord PROTECTED = RUNNING.withAccessToken("t0k3n");

    private static final SandboxOrigins ORIGINS = new SandboxOrigins(List.of("sandbox.example.dev"));

    private final RoutingDecision decision = new RoutingDecision(RoutingPolicy.openPorts(), ClientLimits.NONE, ORIGINS,
            false);
    private final List<String> slotsTaken = new ArrayList<>();
    private final SandboxSlots freeSlots = (id, record) -> slotsTaken.add(id);

    private static HttpRequest request(HttpMethod method, String... headers) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, ADMITTED.requestTarget().uri());
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().add(headers[i], headers[i + 1]);
        }
        return request;
    }

    /** A request that carries no token anywhere, as a browser's preflight. */
    private static HttpRequest tokenless(HttpMethod method, String... headers) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, "/app");
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().add(headers[i], headers[i + 1]);
        }
        return request;
    }

    private RoutingVerdict decide(HttpRequest request, SandboxRecord record) {
        return decision.decide(ADMITTED, request, Optional.ofNullable(record), 0, false, false, freeSlots);
    }

    private static Refused refused(RoutingVerdict verdict, GatewayError error) {
        Refused refused = assertInstanceOf(Refused.class, verdict);
        assertEquals(error, refused.failure().error(), refused.failure().message());
        return refused;
    }

    @Test
    void aPreflightFromASandboxPageOrAnAllowedOriginReachesAPrivateSandboxWithoutItsToken() {
        String[] preflight = {"Origin", "https://5173-abc.sandbox.example.dev", "Access-Control-Request-Method", "POST"};
        Connect sibling = assertInstanceOf(Connect.class, decide(tokenless(HttpMethod.OPTIONS, preflight), PROTECTED));
        assertTrue(sibling.protectedSandbox(), "credentials are still stripped on the way");

        SandboxRecord listing = PROTECTED.withAllowedOrigins(List.of("https://ide.example.com"));
        assertInstanceOf(Connect.class, decide(tokenless(HttpMethod.OPTIONS, "Origin", "https://ide.example.com",
                "Access-Control-Request-Method", "PUT"), listing));

        refused(decide(tokenless(HttpMethod.OPTIONS, "Origin", "https://evil.example",
                "Access-Control-Request-Method", "POST"), PROTECTED), GatewayError.ACCESS_TOKEN_MISSING);
        refused(decide(tokenless(HttpMethod.OPTIONS, "Origin", "https://5173-abc.sandbox.example.dev"), PROTECTED),
                GatewayError.ACCESS_TOKEN_MISSING);
        refused(decide(tokenless(HttpMethod.POST, preflight), PROTECTED), GatewayError.ACCESS_TOKEN_MISSING);
        refused(decide(tokenless(HttpMethod.OPTIONS, preflight), PROTECTED.withState(SandboxState.STOPPED)),
                GatewayError.SANDBOX_STOPPED);
    }

    @Test
    void aRunningSandboxIsConnectedAndCountsTheConnection() {
        Connect connect = assertInstanceOf(Connect.class, decide(request(HttpMethod.GET), RUNNING));

        assertSame(RUNNING, connect.record());
        assertEquals(OptionalLong.empty(), connect.maxBodyBytes());
        assertFalse(connect.protectedSandbox());
        assertEquals(List.of("abc"), slotsTaken);
    }

    @Test
    void eachPolicyRefusalKeepsItsCodeAndNamesTheSandbox() {
        refused(decide(request(HttpMethod.GET), null), GatewayError.SANDBOX_NOT_FOUND);
        refused(decide(request(HttpMethod.GET), RUNNING.withState(SandboxState.STOPPED)), GatewayError.SANDBOX_STOPPED);
        refused(decide(request(HttpMethod.GET), RUNNING.withState(SandboxState.PAUSED)), GatewayError.SANDBOX_PAUSED);
        refused(decide(request(HttpMethod.GET), RUNNING.withAllowedPorts(Set.of(8080))), GatewayError.PORT_NOT_ALLOWED);
        refused(decide(request(HttpMethod.GET), RUNNING.withAllowedClients(List.of(CidrBlock.parse("10.0.0.0/8")))),
                GatewayError.CLIENT_NOT_ALLOWED);
        Refused invalid = refused(decide(request(HttpMethod.GET), PROTECTED.withAccessToken("other")),
                GatewayError.ACCESS_TOKEN_INVALID);
        assertEquals("The access token is not valid.", invalid.failure().message());
        Refused stopped = refused(decide(request(HttpMethod.GET), RUNNING.withState(SandboxState.STOPPED)),
                GatewayError.SANDBOX_STOPPED);
        assertEquals("Sandbox abc is stopped.", stopped.failure().message());
        assertEquals(List.of(), slotsTaken, "a refused request counts for no sandbox");
    }

    @Test
    void aRequestWithoutCredentialsForAProtectedSandboxIsMissingItsToken() {
        HttpRequest noToken = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/app");
        refused(decide(noToken, PROTECTED), GatewayError.ACCESS_TOKEN_MISSING);
    }

    @Test
    void aPausedOrStartingSandboxIsWokenOnlyWhenAWakeUpMayBeAsked() {
        for (SandboxState state : new SandboxState[] {SandboxState.PAUSED, SandboxState.STARTING}) {
            SandboxRecord asleep = RUNNING.withState(state);
            assertSame(RoutingVerdict.Wake.INSTANCE, decision.decide(ADMITTED, request(HttpMethod.GET),
                    Optional.of(asleep), 0, true, false, freeSlots), state.toString());
            assertInstanceOf(Refused.class, decision.decide(ADMITTED, request(HttpMethod.GET), Optional.of(asleep), 0,
                    false, false, freeSlots), state.toString());
        }
        assertInstanceOf(Refused.class, decision.decide(ADMITTED, request(HttpMethod.GET),
                Optional.of(RUNNING.withState(SandboxState.STOPPED)), 0, true, false, freeSlots), "a stopped one is not");
    }

    @Test
    void onlyAClientThatMayReachTheSandboxCanWakeIt() {
        HttpRequest noToken = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/app");
        refused(decision.decide(ADMITTED, noToken, Optional.of(PROTECTED.withState(SandboxState.PAUSED)), 0, true, false,
                freeSlots), GatewayError.ACCESS_TOKEN_MISSING);
    }

    @Test
    void aSandboxAtItsConnectionLimitRefusesMore() {
        Refused refused = refused(decision.decide(ADMITTED, request(HttpMethod.GET), Optional.of(RUNNING), 0, false,
                false, (id, record) -> false), GatewayError.TOO_MANY_CONNECTIONS);
        assertEquals("Sandbox abc has as many client connections through this gateway as it may.",
                refused.failure().message());
    }

    @Test
    void theBodyLimitIsTheRecordsOwnElseTheGatewaysAndZeroMeansNone() {
        RoutingDecision limited = new RoutingDecision(RoutingPolicy.openPorts(),
                new ClientLimits(OptionalInt.empty(), OptionalLong.of(100), Optional.empty(), Optional.empty()), ORIGINS, false);

        Connect gateways = assertInstanceOf(Connect.class, limited.decide(ADMITTED, request(HttpMethod.POST),
                Optional.of(RUNNING), 0, false, false, freeSlots));
        Connect own = assertInstanceOf(Connect.class, limited.decide(ADMITTED, request(HttpMethod.POST),
                Optional.of(RUNNING.withMaxRequestBodySize(5000L)), 0, false, false, freeSlots));
        Connect none = assertInstanceOf(Connect.class, limited.decide(ADMITTED, request(HttpMethod.POST),
                Optional.of(RUNNING.withMaxRequestBodySize(0L)), 0, false, false, freeSlots));

        assertEquals(OptionalLong.of(100), gateways.maxBodyBytes());
        assertEquals(OptionalLong.of(5000), own.maxBodyBytes());
        assertEquals(OptionalLong.empty(), none.maxBodyBytes());
    }

    @Test
    void aBodyDeclaredOrAlreadyReadPastTheLimitIsRefused() {
        SandboxRecord small = RUNNING.withMaxRequestBodySize(100L);

        Refused declared = refused(decide(request(HttpMethod.POST, "Content-Length", "101"), small),
                GatewayError.REQUEST_BODY_TOO_LARGE);
        refused(decision.decide(ADMITTED, request(HttpMethod.POST, "Transfer-Encoding", "chunked"), Optional.of(small), 101,
                false, false, freeSlots), GatewayError.REQUEST_BODY_TOO_LARGE);
        assertInstanceOf(Connect.class, decide(request(HttpMethod.POST, "Content-Length", "100"), small));

        assertEquals("The request body is larger than the 100 bytes sandbox abc accepts.", declared.failure().message());
    }

    @Test
    void aBrowserOpeningAProtectedUrlWithItsTokenGetsACookieForThisHost() {
        for (HttpMethod method : new HttpMethod[] {HttpMethod.GET, HttpMethod.HEAD}) {
            CookieRedirect redirect = assertInstanceOf(CookieRedirect.class, decide(request(method), PROTECTED));

            assertEquals(ADMITTED.requestTarget().uri(), redirect.uri());
            assertEquals(AccessTokens.cookieValue("t0k3n", HOST), redirect.cookieValue(), "bound to the host, not the port");
            assertTrue(redirect.secure(), "the client used https");
            assertFalse(redirect.crossSite(), "access.cookie.sameSite: lax by default");
        }
        RoutingDecision embeddable = new RoutingDecision(RoutingPolicy.openPorts(), ClientLimits.NONE, ORIGINS, true);
        CookieRedirect crossSite = assertInstanceOf(CookieRedirect.class, embeddable.decide(ADMITTED,
                request(HttpMethod.GET), Optional.of(PROTECTED), 0, false, false, freeSlots));
        assertTrue(crossSite.crossSite());
    }

    @Test
    void aTokenInTheUrlIsRelayedWithoutACookieWhenARedirectCannotWork() {
        Connect post = assertInstanceOf(Connect.class, decide(request(HttpMethod.POST), PROTECTED));
        assertTrue(post.protectedSandbox());
        assertInstanceOf(Connect.class, decision.decide(ADMITTED, request(HttpMethod.GET), Optional.of(PROTECTED), 0,
                false, true, freeSlots), "a WebSocket upgrade");
        assertInstanceOf(Connect.class, decide(request(HttpMethod.GET, "X-Access-Token", "t0k3n"), PROTECTED),
                "the header decides when both are given");
    }
}
