package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.registry.SandboxState;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Requests reach the right sandbox port at the address the registry holds, with headers rewritten. */
class RoutingTest {

    private static TestBackend alphaWeb;
    private static TestBackend alphaApi;
    private static TestBackend betaWeb;
    private static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        alphaWeb = TestBackend.http("127.0.0.1", () -> new InfoHandler("alpha-web"));
        alphaApi = TestBackend.http("127.0.0.1", () -> new InfoHandler("alpha-api"));
        // A second loopback address: proves the backend host comes from the registry record.
        betaWeb = TestBackend.http("127.0.0.2", () -> new InfoHandler("beta-web"));
        gateway = GatewayFixture.start(Map.of("GATEWAY_ROUTING_BASE_DOMAINS", "sandbox.example.dev,localhost"))
                .register(SandboxRecord.running("alpha", "127.0.0.1").withSuffix("s1s1"))
                .register(SandboxRecord.running("beta", "127.0.0.2"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        alphaWeb.close();
        alphaApi.close();
        betaWeb.close();
    }

    private static Map<String, String> get(String host, String path) throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.exchange(RawHttp.get(host, path));
            assertEquals(200, response.status(), response::text);
            return InfoHandler.parse(response.body());
        }
    }

    @Test
    void eachSandboxPortReachesItsOwnBackend() throws Exception {
        assertEquals("alpha-web", get(alphaWeb.port() + "-alpha-s1s1.sandbox.example.dev", "/").get("backend"));
        assertEquals("alpha-api", get(alphaApi.port() + "-alpha-s1s1.sandbox.example.dev", "/").get("backend"));
        assertEquals("beta-web", get(betaWeb.port() + "-beta.localhost:8080", "/").get("backend"));
    }

    @Test
    void pathQueryAndHostArePassedOnUnchanged() throws Exception {
        String host = alphaWeb.port() + "-alpha-s1s1.sandbox.example.dev";
        Map<String, String> seen = get(host, "/app/x%20y?x=1&y=%2F");
        assertEquals("/app/x%20y?x=1&y=%2F", seen.get("uri"));
        assertEquals(host, seen.get("header.host"));
        assertEquals("HTTP/1.1", seen.get("version"));
    }

    @Test
    void suffixIsOptionalButMustMatchWhenGiven() throws Exception {
        assertEquals("alpha-web", get(alphaWeb.port() + "-alpha.sandbox.example.dev", "/").get("backend"));
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.exchange(RawHttp.get(alphaWeb.port() + "-alpha-zzzz.sandbox.example.dev", "/"));
            assertEquals(404, response.status());
            assertEquals("sandbox_not_found", response.header("x-gateway-error"));
        }
    }

    @Test
    void sharedHostRoutesByHeaders() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.exchange("GET /api HTTP/1.1\r\nHost: sandbox.example.dev\r\n"
                    + "X-Sandbox-Id: beta\r\nX-Sandbox-Port: " + betaWeb.port() + "\r\n\r\n");
            assertEquals(200, response.status(), response::text);
            Map<String, String> seen = InfoHandler.parse(response.body());
            assertEquals("beta-web", seen.get("backend"));
            assertNull(seen.get("header.x-sandbox-id"), "routing headers are the gateway's, not the sandbox's");
            assertNull(seen.get("header.x-sandbox-port"));
        }
    }

    @Test
    void hopByHopHeadersAreRemovedAndForwardingHeadersSet() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            String host = alphaWeb.port() + "-alpha.sandbox.example.dev";
            RawHttp.Response response = client.exchange("GET / HTTP/1.1\r\nHost: " + host + "\r\n"
                    + "Connection: keep-alive, X-Drop-Me\r\nX-Drop-Me: 1\r\nKeep-Alive: timeout=5\r\n"
                    + "Proxy-Connection: keep-alive\r\nProxy-Authorization: Basic eDp5\r\nTE: trailers\r\n"
                    + "Upgrade: h2c\r\nX-Forwarded-For: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\nX-Keep: yes\r\n\r\n");
            Map<String, String> seen = InfoHandler.parse(response.body());
            for (String dropped : new String[] {"x-drop-me", "keep-alive", "proxy-connection", "proxy-authorization",
                    "te", "upgrade", "forwarded"}) {
                assertFalse(seen.containsKey("header." + dropped), dropped + " reached the sandbox: " + seen);
            }
            assertEquals("yes", seen.get("header.x-keep"));
            assertEquals("127.0.0.1", seen.get("header.x-forwarded-for"), "a client cannot spoof its address");
            assertEquals("http", seen.get("header.x-forwarded-proto"));
            assertEquals(host, seen.get("header.x-forwarded-host"));
            assertEquals(Integer.toString(gateway.port()), seen.get("header.x-forwarded-port"));
            assertTrue(response.complete());
        }
    }

    @Test
    void absoluteFormTargetForASandboxHostIsRoutedInOriginForm() throws Exception {
        String host = alphaWeb.port() + "-alpha.sandbox.example.dev";
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.exchange("GET http://" + host + "/abs?q=1 HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            assertEquals(200, response.status(), response::text);
            assertEquals("/abs?q=1", InfoHandler.parse(response.body()).get("uri"));
        }
    }

    @Test
    void absoluteFormTargetThatDisagreesWithHostIsRejected() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.exchange("GET http://" + alphaWeb.port()
                    + "-alpha.localhost/ HTTP/1.1\r\nHost: " + betaWeb.port() + "-beta.localhost\r\n\r\n");
            assertEquals(400, response.status());
            assertEquals("bad_request", response.header("x-gateway-error"));
        }
    }

    @Test
    void http10ClientsAreServed() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.exchange("GET /old HTTP/1.0\r\nHost: " + betaWeb.port() + "-beta.localhost\r\n\r\n");
            assertEquals(200, response.status());
            assertEquals("/old", InfoHandler.parse(response.body()).get("uri"));
            assertTrue(client.closedByPeer(), "HTTP/1.0 without keep-alive closes after the response");
        }
    }
}
