package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.registry.SandboxState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's own answers are readable by JavaScript on other origins; a sandbox's responses are
 * never given CORS headers; a private sandbox's preflights from trusted pages reach it without the
 * token, and from anyone else do not.
 */
class CorsTest {

    private TestBackend backend;
    private GatewayFixture gateway;
    private String sibling;

    @BeforeEach
    void start() throws Exception {
        backend = TestBackend.http(() -> new InfoHandler("app"));
        gateway = GatewayFixture.start(Map.of())
                .register("open")
                .register(SandboxRecord.running("private", "127.0.0.1").withAccessToken("s3cret")
                        .withAllowedOrigins(List.of("https://ide.example.com")))
                .register(SandboxRecord.running("stopped", "127.0.0.1").withState(SandboxState.STOPPED));
        sibling = "http://5173-open.localhost:" + gateway.port();
    }

    @AfterEach
    void stop() {
        gateway.close();
        backend.close();
    }

    private RawHttp.Response send(String method, String host, String... headers) throws Exception {
        StringBuilder request = new StringBuilder(method).append(" /api HTTP/1.1\r\nHost: ").append(host).append("\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        try (RawHttp client = new RawHttp(gateway.port())) {
            return client.exchange(request.append("\r\n").toString());
        }
    }

    @Test
    void theGatewaysOwnAnswersCarryCorsWithCredentialsOnlyForSandboxPages() throws Exception {
        RawHttp.Response fromSibling = send("GET", "80-nobody.localhost", "Origin", sibling);
        assertEquals(404, fromSibling.status());
        assertEquals(sibling, fromSibling.header("access-control-allow-origin"));
        assertEquals("Origin", fromSibling.header("vary"));
        assertEquals("X-Gateway-Error, X-Request-Id, Retry-After", fromSibling.header("access-control-expose-headers"));
        assertEquals("true", fromSibling.header("access-control-allow-credentials"));

        RawHttp.Response fromElsewhere = send("GET", "80-nobody.localhost", "Origin", "https://elsewhere.example");
        assertEquals("https://elsewhere.example", fromElsewhere.header("access-control-allow-origin"));
        assertNull(fromElsewhere.header("access-control-allow-credentials"), "never credentials for other sites");

        assertNull(send("GET", "80-nobody.localhost").header("access-control-allow-origin"), "no Origin, no CORS");

        RawHttp.Response stopped = send("GET", backend.port() + "-stopped.localhost", "Origin", sibling);
        assertEquals(503, stopped.status());
        assertEquals("2", stopped.header("retry-after"), "every 503 says when to retry");
        assertEquals(sibling, stopped.header("access-control-allow-origin"));
    }

    @Test
    void aSandboxsOwnResponseIsNeverGivenCorsHeaders() throws Exception {
        RawHttp.Response relayed = send("GET", backend.port() + "-open.localhost", "Origin", sibling);
        assertEquals(200, relayed.status());
        assertNull(relayed.header("access-control-allow-origin"));
        assertNull(relayed.header("access-control-expose-headers"));
    }

    @Test
    void aPrivateSandboxsPreflightFromTrustedPagesReachesItWithoutTheToken() throws Exception {
        String host = backend.port() + "-private.localhost";
        for (String origin : List.of(sibling, "https://ide.example.com")) {
            RawHttp.Response preflight = send("OPTIONS", host, "Origin", origin, "Access-Control-Request-Method", "POST",
                    "Access-Control-Request-Headers", "content-type");
            assertEquals(200, preflight.status(), origin + ": " + preflight.text());
            Map<String, String> seen = InfoHandler.parse(preflight.body());
            assertEquals("OPTIONS", seen.get("method"));
            assertEquals(origin, seen.get("header.origin"), "the sandbox's answer decides");
        }

        RawHttp.Response stranger = send("OPTIONS", host, "Origin", "https://elsewhere.example",
                "Access-Control-Request-Method", "POST");
        assertEquals(401, stranger.status(), "a private sandbox answers no stranger's unauthenticated OPTIONS");
        assertEquals("access_token_missing", stranger.header("x-gateway-error"));

        RawHttp.Response call = send("POST", host, "Origin", sibling, "Content-Length", "0");
        assertEquals(401, call.status(), "only the preflight is exempt");
        RawHttp.Response withToken = send("POST", host, "Origin", sibling, "Content-Length", "0",
                "X-Access-Token", "s3cret");
        assertEquals(200, withToken.status());
        assertTrue(InfoHandler.parse(withToken.body()).get("header.x-access-token") == null, "the token stays here");
    }
}
