package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.testing.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request smuggling and friends, written as exact bytes. Every request carries a second request
 * hidden where a lenient parser would find it; each must be refused with 400 (or 405) and the
 * connection closed, and the backend must never see the hidden request.
 *
 * <p>The gateway keeps no idle backend connections here, so once the backend has no open
 * connection, everything the gateway ever wrote to it has been read and recorded.
 */
class SmugglingTest {

    private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: HOST\r\n\r\n";

    private static final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
    private static TestBackend backend;
    private static GatewayFixture gateway;
    private static String host;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.http(() -> new InfoHandler("smuggle", seen));
        gateway = GatewayFixture.start(Map.of("GATEWAY_BACKEND_POOL_MAX_IDLE_PER_BACKEND", "0"))
                .register(SandboxRecord.running("target", "127.0.0.1"));
        host = backend.port() + "-target.localhost";
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    @BeforeEach
    void clear() {
        seen.clear();
    }

    static List<Arguments> smugglingAttempts() {
        String smuggled = SMUGGLED;
        return List.of(
                Arguments.of("Content-Length with Transfer-Encoding",
                        "POST /first HTTP/1.1\r\nHost: HOST\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + "0\r\n\r\n" + smuggled),
                Arguments.of("Transfer-Encoding with Content-Length",
                        "POST /first HTTP/1.1\r\nHost: HOST\r\nTransfer-Encoding: chunked\r\nContent-Length: 60\r\n\r\n"
                                + "0\r\n\r\n" + smuggled),
                Arguments.of("differing Content-Length values",
                        "POST /first HTTP/1.1\r\nHost: HOST\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n" + smuggled),
                Arguments.of("Content-Length list",
                        "POST /first HTTP/1.1\r\nHost: HOST\r\nContent-Length: 0, 44\r\n\r\n" + smuggled),
                Arguments.of("signed Content-Length",
                        "POST /first HTTP/1.1\r\nHost: HOST\r\nContent-Length: +0\r\n\r\n" + smuggled),
                Arguments.of("non-numeric Content-Length",
                        "POST /first HTTP/1.1\r\nHost: HOST\r\nContent-Length: 0x10\r\n\r\n" + smuggled),
                Arguments.of("negative Content-Length",
                        "POST /first HTTP/1.1\r\nHost: HOST\r\nContent-Length: -1\r\n\r\n" + smuggled),
                Arguments.of("transfer coding after chunked",
                        "POST /first HTTP/1.1\r\nHost: HOST\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n" + smuggled),
                Arguments.of("transfer coding before chunked",
                        "POST /first HTTP/1.1\r\nHost: HOST\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n" + smuggled),
                Arguments.of("unknown transfer coding only",
                        "POST /first HTTP/1.1\r\nHost: HOST\r\nTransfer-Encoding: identity\r\n\r\n" + smuggled),
                Arguments.of("chunked twice",
                        "POST /first HTTP/1.1\r\nHost: HOST\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + "0\r\n\r\n" + smuggled),
                Arguments.of("look-alike chunked",
                        "POST /first HTTP/1.1\r\nHost: HOST\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n" + smuggled),
                Arguments.of("Transfer-Encoding in HTTP/1.0",
                        "POST /first HTTP/1.0\r\nHost: HOST\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled),
                Arguments.of("whitespace before the colon",
                        "POST /first HTTP/1.1\r\nHost: HOST\r\nTransfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\n"
                                + "0\r\n\r\n" + smuggled),
                Arguments.of("separator in a header name",
                        "POST /first HTTP/1.1\r\nHost: HOST\r\nX-Note(a): b\r\nContent-Length: 44\r\n\r\n" + smuggled),
                Arguments.of("byte above 0x7E in a header name",
                        "POST /first HTTP/1.1\r\nHost: HOST\r\nTransfer\u00e9Encoding: chunked\r\nContent-Length: 44\r\n\r\n"
                                + smuggled),
                Arguments.of("empty header name",
                        "POST /first HTTP/1.1\r\nHost: HOST\r\n: chunked\r\nContent-Length: 44\r\n\r\n" + smuggled),
                Arguments.of("obsolete line folding",
                        "POST /first HTTP/1.1\r\nHost: HOST\r\nX-Note: a\r\n Transfer-Encoding: chunked\r\n"
                                + "Content-Length: 5\r\n\r\n0\r\n\r\n" + smuggled),
                Arguments.of("whitespace before the first header",
                        "POST /first HTTP/1.1\r\n Transfer-Encoding: chunked\r\nHost: HOST\r\nContent-Length: 5\r\n\r\n"
                                + "0\r\n\r\n" + smuggled),
                Arguments.of("NUL in a header value",
                        "GET /first HTTP/1.1\r\nHost: HOST\r\nX-Note: a\0b\r\n\r\n" + smuggled),
                Arguments.of("CR inside a header value",
                        "GET /first HTTP/1.1\r\nHost: HOST\r\nX-Note: a\rContent-Length: 44\r\n\r\n" + smuggled),
                Arguments.of("bare LF line ends",
                        "GET /first HTTP/1.1\nHost: HOST\nContent-Length: 44\n\n" + smuggled),
                Arguments.of("two Host headers",
                        "GET /first HTTP/1.1\r\nHost: HOST\r\nHost: 1-other.localhost\r\n\r\n" + smuggled),
                Arguments.of("absolute-form target disagreeing with Host",
                        "GET http://3000-other.localhost/first HTTP/1.1\r\nHost: HOST\r\n\r\n" + smuggled));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smugglingAttempts")
    void refusedClosedAndNothingReachesTheSandbox(String name, String attempt) throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.exchange(attempt.replace("HOST", host));
            assertEquals(400, response.status(), name + ": " + response.text());
            assertEquals("close", response.header("connection"));
            assertTrue(client.closedByPeer(), name + ": the connection must close after the refusal");
        }
        assertBackendSaw(List.of());
    }

    @Test
    void aRefusedHeaderNameIsNamedInTheAnswer() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.exchange(
                    "GET /first HTTP/1.1\r\nHost: HOST\r\nX-Note : a\r\n\r\n".replace("HOST", host));
            assertEquals(400, response.status(), response.text());
            assertTrue(response.text().contains("invalid character 0x20 at index 6 of header 'X-Note '"),
                    response.text());
        }
        assertBackendSaw(List.of());
    }

    @Test
    void invalidChunkSizeClosesBothConnectionsBeforeTheHiddenRequest() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.exchange(("POST /first HTTP/1.1\r\nHost: HOST\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n" + SMUGGLED).replace("HOST", host));
            assertEquals(400, response.status(), response.text());
            assertTrue(client.closedByPeer());
        }
        // The head was valid and may have been relayed; the hidden request never is.
        Eventually.await("backend connections closed", Duration.ofSeconds(5), () -> backend.openConnections() == 0);
        assertFalse(seen.contains("/smuggled"), "seen: " + seen);
    }

    @Test
    void chunkSizeOverflowIsRefused() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.exchange(("POST /first HTTP/1.1\r\nHost: HOST\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n" + SMUGGLED).replace("HOST", host));
            assertEquals(400, response.status(), response.text());
            assertTrue(client.closedByPeer());
        }
        Eventually.await("backend connections closed", Duration.ofSeconds(5), () -> backend.openConnections() == 0);
        assertFalse(seen.contains("/smuggled"), "seen: " + seen);
    }

    @Test
    void connectIsRefusedAndTheGatewayIsNoOpenProxy() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.exchange("CONNECT 127.0.0.1:" + backend.port() + " HTTP/1.1\r\nHost: 127.0.0.1:"
                    + backend.port() + "\r\n\r\n");
            assertEquals(405, response.status());
        }
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.exchange("GET http://127.0.0.1:" + backend.port()
                    + "/first HTTP/1.1\r\nHost: 127.0.0.1:" + backend.port() + "\r\n\r\n");
            assertEquals(400, response.status());
            assertEquals("invalid_host", response.header("x-gateway-error"));
        }
        assertBackendSaw(List.of());
    }

    @Test
    void aCleanRequestAfterwardsStillWorks() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            assertEquals(200, client.exchange(RawHttp.get(host, "/probe")).status());
        }
        assertBackendSaw(List.of("/probe"));
    }

    /** Waits until every backend connection the gateway opened is closed, then checks what was received. */
    private static void assertBackendSaw(List<String> uris) {
        Eventually.await("backend connections closed", Duration.ofSeconds(5), () -> backend.openConnections() == 0);
        assertEquals(uris, List.copyOf(seen));
    }
}
