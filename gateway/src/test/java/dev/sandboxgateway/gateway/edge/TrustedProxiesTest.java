package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.request.ClientAddress;
import dev.sandboxgateway.gateway.request.TrustedProxies;
import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.routing.registry.CidrBlock;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Forwarding headers and PROXY protocol are believed only from configured proxies. */
class TrustedProxiesTest {

    private static TestBackend backend;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.http(() -> new InfoHandler("app"));
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    private static String host(String id) {
        return backend.port() + "-" + id + ".localhost";
    }

    private static Map<String, String> relayed(GatewayFixture gateway, String request) throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.exchange(request);
            assertEquals(200, response.status(), response.text());
            return InfoHandler.parse(response.body());
        }
    }

    @Test
    void forwardingHeadersFromAnUntrustedPeerAreReplaced() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start().register("box")) {
            Map<String, String> seen = relayed(gateway, "GET / HTTP/1.1\r\nHost: " + host("box") + "\r\n"
                    + "X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example\r\n"
                    + "Forwarded: for=203.0.113.9\r\n\r\n");
            assertEquals("127.0.0.1", seen.get("header.x-forwarded-for"));
            assertEquals("http", seen.get("header.x-forwarded-proto"));
            assertEquals(host("box"), seen.get("header.x-forwarded-host"));
            assertNull(seen.get("header.forwarded"));
        }
    }

    @Test
    void aTrustedProxyNamesTheClientForHeadersAndAllowLists() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start(Map.of("GATEWAY_SECURITY_TRUSTED_PROXIES", "127.0.0.0/8,10.0.0.0/8"))
                .register(SandboxRecord.running("office", "127.0.0.1")
                        .withAllowedClients(List.of(CidrBlock.parse("203.0.113.0/24"))))) {
            Map<String, String> seen = relayed(gateway, "GET / HTTP/1.1\r\nHost: " + host("office") + "\r\n"
                    + "X-Forwarded-For: 203.0.113.9, 10.1.2.3\r\nX-Forwarded-Proto: https\r\n\r\n");
            assertEquals("203.0.113.9, 10.1.2.3, 127.0.0.1", seen.get("header.x-forwarded-for"));
            assertEquals("https", seen.get("header.x-forwarded-proto"));

            try (RawHttp client = new RawHttp(gateway.port())) {
                RawHttp.Response spoofed = client.exchange("GET / HTTP/1.1\r\nHost: " + host("office") + "\r\n"
                        + "X-Forwarded-For: 203.0.113.9, 198.51.100.1\r\n\r\n");
                assertEquals(403, spoofed.status(), "the nearest untrusted hop is the client, not what it claims");
                assertEquals("client_not_allowed", spoofed.header("x-gateway-error"));
            }
        }
    }

    @Test
    void behindTlsTerminatingProxyTheAccessCookieIsSecure() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start(Map.of("GATEWAY_SECURITY_TRUSTED_PROXIES", "127.0.0.1"))
                .register(SandboxRecord.running("locked", "127.0.0.1").withAccessToken("t0k"));
             RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response redirect = client.exchange("GET /?access_token=t0k HTTP/1.1\r\nHost: " + host("locked")
                    + "\r\nX-Forwarded-Proto: https\r\n\r\n");
            assertEquals(302, redirect.status());
            assertTrue(redirect.header("set-cookie").contains("; Secure"), redirect.header("set-cookie"));
            assertTrue(redirect.header("set-cookie").startsWith("__Host-sandbox_gateway_token="),
                    "over https the cookie is host-locked by its prefix: " + redirect.header("set-cookie"));
            assertTrue(redirect.header("set-cookie").contains("SameSite=Lax"), redirect.header("set-cookie"));
        }
    }

    @Test
    void proxyProtocolV1CarriesTheClientAddress() throws Exception {
        try (GatewayFixture gateway = proxyProtocolGateway("127.0.0.0/8")) {
            Map<String, String> seen = relayed(gateway, "PROXY TCP4 198.51.100.7 127.0.0.1 55123 443\r\n"
                    + RawHttp.get(host("lb"), "/"));
            assertEquals("198.51.100.7", seen.get("header.x-forwarded-for"));
        }
    }

    @Test
    void proxyProtocolV2CarriesTheClientAddress() throws Exception {
        try (GatewayFixture gateway = proxyProtocolGateway("127.0.0.0/8");
             RawHttp client = new RawHttp(gateway.port())) {
            client.send(proxyV2(new byte[] {(byte) 198, 51, 100, 8}, new byte[] {127, 0, 0, 1}, 40000, 443));
            RawHttp.Response response = client.exchange(RawHttp.get(host("lb"), "/"));
            assertEquals(200, response.status(), response.text());
            assertEquals("198.51.100.8", InfoHandler.parse(response.body()).get("header.x-forwarded-for"));
        }
    }

    @Test
    void proxyProtocolFromAnUntrustedPeerIsRefused() throws Exception {
        try (GatewayFixture gateway = proxyProtocolGateway("10.0.0.0/8");
             RawHttp client = new RawHttp(gateway.port())) {
            client.send("PROXY TCP4 198.51.100.7 127.0.0.1 55123 443\r\n" + RawHttp.get(host("lb"), "/"));
            assertTrue(client.closedByPeer());
        }
    }

    @Test
    void aConnectionWithoutTheProxyHeaderIsRefusedWhenItIsRequired() throws Exception {
        int before = backend.acceptedConnections();
        try (GatewayFixture gateway = proxyProtocolGateway("127.0.0.0/8");
             RawHttp client = new RawHttp(gateway.port())) {
            client.send(RawHttp.get(host("lb"), "/"));
            assertTrue(client.closedByPeer());
        }
        assertEquals(before, backend.acceptedConnections());
    }

    @Test
    void proxiedClientsAreCheckedAgainstAllowLists() throws Exception {
        try (GatewayFixture gateway = proxyProtocolGateway("127.0.0.0/8");
             RawHttp client = new RawHttp(gateway.port())) {
            gateway.register(SandboxRecord.running("fenced", "127.0.0.1")
                    .withAllowedClients(List.of(CidrBlock.parse("127.0.0.0/8"))));
            client.send("PROXY TCP4 198.51.100.7 127.0.0.1 55123 443\r\n");
            RawHttp.Response response = client.exchange(RawHttp.get(host("fenced"), "/"));
            assertEquals(403, response.status(), "the load balancer's own address must not pass for the client's");
        }
    }

    private static GatewayFixture proxyProtocolGateway(String trusted) throws Exception {
        return GatewayFixture.start(Map.of("GATEWAY_SERVER_PROXY_PROTOCOL", "true",
                "GATEWAY_SECURITY_TRUSTED_PROXIES", trusted)).register("lb");
    }

    private static byte[] proxyV2(byte[] source, byte[] destination, int sourcePort, int destinationPort) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        out.write(0x21);
        out.write(0x11);
        out.writeBytes(ByteBuffer.allocate(2).putShort((short) 12).array());
        out.writeBytes(source);
        out.writeBytes(destination);
        out.writeBytes(ByteBuffer.allocate(4).putShort((short) sourcePort).putShort((short) destinationPort).array());
        return out.toByteArray();
    }

    @Test
    void forwardedForWalkStopsAtTheFirstUntrustedOrMalformedHop() {
        TrustedProxies proxies = new TrustedProxies(List.of(CidrBlock.parse("10.0.0.0/8")));
        ClientAddress peer = new ClientAddress("10.0.0.1", new byte[] {10, 0, 0, 1});
        assertEquals("198.51.100.2", proxies.clientBehind(List.of("203.0.113.1, 198.51.100.2, 10.9.9.9"), peer).text());
        assertEquals("10.9.9.9", proxies.clientBehind(List.of("unknown, 10.9.9.9"), peer).text());
        assertEquals("203.0.113.1", proxies.clientBehind(List.of("203.0.113.1", "10.2.2.2"), peer).text());
        assertEquals("10.0.0.1", proxies.clientBehind(List.of(), peer).text());
        assertFalse(proxies.trusts(new byte[] {11, 0, 0, 1}));
    }
}
