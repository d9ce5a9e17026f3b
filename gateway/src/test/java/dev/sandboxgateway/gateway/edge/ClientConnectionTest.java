package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keep-alive, pipelining, connection reuse on both sides, and the client-side timeouts. */
class ClientConnectionTest {

    private static TestBackend backend;
    private static GatewayFixture gateway;
    private static String host;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.http(() -> new InfoHandler("web"));
        gateway = GatewayFixture.start(Map.of(
                "GATEWAY_TIMEOUTS_REQUEST_HEADER", "400ms",
                "GATEWAY_TIMEOUTS_KEEP_ALIVE_IDLE", "600ms",
                "GATEWAY_SERVER_IO_THREADS", "1")).register("box");
        host = backend.port() + "-box.localhost";
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    @Test
    void keepAliveReusesClientAndBackendConnections() throws Exception {
        try (TestBackend fresh = TestBackend.http(() -> new InfoHandler("fresh"))) {
            String freshHost = fresh.port() + "-box.localhost";
            try (RawHttp client = new RawHttp(gateway.port())) {
                for (int i = 0; i < 5; i++) {
                    RawHttp.Response response = client.exchange(RawHttp.get(freshHost, "/n" + i));
                    assertEquals(200, response.status());
                    assertEquals("/n" + i, InfoHandler.parse(response.body()).get("uri"));
                }
            }
            try (RawHttp another = new RawHttp(gateway.port())) {
                assertEquals(200, another.exchange(RawHttp.get(freshHost, "/other")).status());
            }
            assertEquals(1, fresh.acceptedConnections(),
                    "six requests over two client connections used one pooled backend connection");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            client.send(RawHttp.get(host, "/first") + "POST /second HTTP/1.1\r\nHost: " + host
                    + "\r\nContent-Length: 5\r\n\r\nhello" + RawHttp.get("9-nosuch.localhost", "/third")
                    + RawHttp.get(host, "/fourth"));
            assertEquals("/first", InfoHandler.parse(client.readResponse().body()).get("uri"));
            Map<String, String> second = InfoHandler.parse(client.readResponse().body());
            assertEquals("/second", second.get("uri"));
            assertEquals("5", second.get("body-bytes"));
            assertEquals(404, client.readResponse().status());
            assertEquals("/fourth", InfoHandler.parse(client.readResponse().body()).get("uri"));
        }
    }

    @Test
    void headRequestsGetHeadersOnly() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            client.send("HEAD / HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            RawHttp.Response head = client.readResponse(true);
            assertEquals(200, head.status());
            assertEquals(200, client.exchange(RawHttp.get(host, "/after-head")).status(),
                    "a HEAD response must not leave body bytes on the connection");
        }
    }

    @Test
    void slowRequestHeadGets408() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port(), 5_000)) {
            client.send("GET / HTTP/1.1\r\nHost: " + host + "\r\n");
            RawHttp.Response response = client.readResponse();
            assertEquals(408, response.status());
            assertEquals("request_header_timeout", response.header("x-gateway-error"));
            assertTrue(client.closedByPeer());
        }
    }

    @Test
    void silentNewConnectionIsClosed() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port(), 5_000)) {
            assertTrue(client.closedByPeer(), "a connection that never sends a request is closed");
        }
    }

    @Test
    void idleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port(), 5_000)) {
            assertEquals(200, client.exchange(RawHttp.get(host, "/")).status());
            long start = System.nanoTime();
            assertTrue(client.closedByPeer());
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited >= 500, "closed after " + waited + " ms; the keep-alive idle timeout is 600 ms");
        }
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.exchange("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
            assertEquals(200, response.status());
            assertEquals("close", response.header("connection"));
            assertTrue(client.closedByPeer());
        }
    }

    @Test
    void keepAliveRequestIsNotClosed() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port(), 300)) {
            assertEquals(200, client.exchange(RawHttp.get(host, "/")).status());
            assertFalse(client.closedByPeer(), "still open within the idle timeout");
        }
    }
}
