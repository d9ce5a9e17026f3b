package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.routing.policy.AccessTokens;
import dev.sandboxgateway.routing.registry.CidrBlock;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Access tokens and their cookie, port rules, client address allow lists; on real sockets. */
class AccessControlTest {

    private static final String TOKEN = "tok-3f9a1c";

    private static TestBackend backend;
    private static GatewayFixture gateway;
    private static String locked;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.http(() -> new InfoHandler("app"));
        gateway = GatewayFixture.start(Map.of("GATEWAY_SECURITY_DENIED_PORTS", "22,6379,9000-9099"))
                .register(SandboxRecord.running("locked", "127.0.0.1").withAccessToken(TOKEN))
                .register("open")
                .register(SandboxRecord.running("lan", "127.0.0.1")
                        .withAllowedClients(List.of(CidrBlock.parse("10.0.0.0/8"))))
                .register(SandboxRecord.running("loopback", "127.0.0.1")
                        .withAllowedClients(List.of(CidrBlock.parse("10.0.0.0/8"), CidrBlock.parse("127.0.0.0/8"))));
        locked = backend.port() + "-locked.localhost";
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    private static RawHttp.Response request(String raw) throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            return client.exchange(raw);
        }
    }

    private static String get(String host, String path, String... headers) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + String.join("", headers) + "\r\n";
    }

    @Test
    void tokenInHeaderIsAcceptedAndNotPassedOn() throws Exception {
        RawHttp.Response response = request(get(locked, "/app", "X-Access-Token: " + TOKEN + "\r\n"));
        assertEquals(200, response.status(), response.text());
        Map<String, String> seen = InfoHandler.parse(response.body());
        assertNull(seen.get("header.x-access-token"), "the token never reaches the sandbox");
    }

    @Test
    void missingAndWrongTokensAreDistinctErrors() throws Exception {
        RawHttp.Response missing = request(get(locked, "/"));
        assertEquals(401, missing.status());
        assertEquals("access_token_missing", missing.header("x-gateway-error"));

        RawHttp.Response wrong = request(get(locked, "/", "X-Access-Token: " + TOKEN + "x\r\n"));
        assertEquals(403, wrong.status());
        assertEquals("access_token_invalid", wrong.header("x-gateway-error"));

        RawHttp.Response page = request(get(locked, "/", "Accept: text/html\r\n"));
        assertTrue(page.text().contains("<title>This sandbox needs an access token</title>"), page.text());
        RawHttp.Response wrongPage = request(get(locked, "/?access_token=nope", "Accept: text/html\r\n"));
        assertEquals(403, wrongPage.status());
        assertTrue(wrongPage.text().contains("<title>The access token is not valid</title>"), wrongPage.text());
        assertFalse(wrongPage.text().contains("nope"), "the presented token is not echoed");
    }

    @Test
    void tokenInTheUrlIsExchangedForAHostOnlyCookieAndRemovedFromTheUrl() throws Exception {
        RawHttp.Response redirect = request(get(locked, "/page?a=1&access_token=" + TOKEN + "&b=2"));
        assertEquals(302, redirect.status());
        assertEquals("/page?a=1&b=2", redirect.header("location"));
        assertEquals("no-referrer", redirect.header("referrer-policy"));
        String setCookie = redirect.header("set-cookie");
        assertTrue(setCookie.startsWith(AccessTokens.COOKIE_NAME + "="), setCookie);
        String attributes = setCookie.toLowerCase(Locale.ROOT);
        assertTrue(attributes.contains("; httponly") && attributes.contains("; samesite=lax")
                && attributes.contains("; path=/"), setCookie);
        assertFalse(attributes.contains("domain"), "host-only: no other sandbox host may receive it: " + setCookie);
        assertFalse(attributes.contains("secure"), "plain http: a Secure cookie would never be sent back");
        assertFalse(setCookie.contains(TOKEN), "the cookie is not the token itself");

        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        RawHttp.Response page = request(get(locked, "/page?a=1&b=2", "Cookie: theme=dark; " + cookie + "; lang=en\r\n"));
        assertEquals(200, page.status(), page.text());
        Map<String, String> seen = InfoHandler.parse(page.body());
        assertEquals("theme=dark; lang=en", seen.get("header.cookie"), "the sandbox keeps its own cookies only");

        String otherPort = (backend.port() + 1) + "-locked.localhost";
        RawHttp.Response elsewhere = request(get(otherPort, "/", "Cookie: " + cookie + "\r\n"));
        assertEquals(403, elsewhere.status(), "a cookie is valid for the host it was issued to only");
    }

    @Test
    void tokenInTheUrlOfANonGetRequestIsCheckedAndStripped() throws Exception {
        RawHttp.Response response = request("POST /api?access_token=" + TOKEN + "&x=1 HTTP/1.1\r\nHost: " + locked
                + "\r\nContent-Length: 2\r\n\r\nhi");
        assertEquals(200, response.status(), response.text());
        assertEquals("/api?x=1", InfoHandler.parse(response.body()).get("uri"));
    }

    @Test
    void unprotectedSandboxesKeepTheirOwnAccessTokenParameter() throws Exception {
        RawHttp.Response response = request(get(backend.port() + "-open.localhost", "/cb?access_token=app-owned"));
        assertEquals(200, response.status());
        assertEquals("/cb?access_token=app-owned", InfoHandler.parse(response.body()).get("uri"));
    }

    @Test
    void deniedPortsAreRefusedAndNeverConnected() throws Exception {
        int before = backend.acceptedConnections();
        for (String port : List.of("22", "6379", "9050")) {
            RawHttp.Response response = request(get(port + "-open.localhost", "/"));
            assertEquals(403, response.status(), port);
            assertEquals("port_not_allowed", response.header("x-gateway-error"));
        }
        assertEquals(before, backend.acceptedConnections());
    }

    @Test
    void clientAddressAllowList() throws Exception {
        RawHttp.Response refused = request(get(backend.port() + "-lan.localhost", "/"));
        assertEquals(403, refused.status());
        assertEquals("client_not_allowed", refused.header("x-gateway-error"));
        assertEquals(200, request(get(backend.port() + "-loopback.localhost", "/")).status());
    }

    @Test
    void hostLabelsCannotNameAnAddress() throws Exception {
        int before = backend.acceptedConnections();
        for (String host : List.of(backend.port() + "-127.0.0.1.localhost", backend.port() + "-127-0-0-1.localhost",
                backend.port() + "-0x7f000001.localhost", "127.0.0.1:" + backend.port(), "[::1]:" + backend.port())) {
            RawHttp.Response response = request(get(host, "/"));
            assertTrue(response.status() == 400 || response.status() == 404, host + " -> " + response.status());
        }
        assertEquals(before, backend.acceptedConnections(), "only registry addresses are ever connected to");
    }
}
