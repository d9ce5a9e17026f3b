package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.config.Transport;
import dev.sandboxgateway.gateway.testing.DownloadHandler;
import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.NativeTransports;
import dev.sandboxgateway.gateway.testing.PatternBody;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.StreamingDigest;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.gateway.testing.WebSocketEchoBackend;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The relay on every transport {@code server.transport} offers. The rest of the suite runs on
 * {@code auto}'s pick; these cover what differs underneath: reads, writes, and reads stopped and
 * resumed for backpressure.
 */
class TransportsTest {

    private static final long MIB = 1L << 20;

    private static GatewayFixture start(String transport) throws Exception {
        NativeTransports.assumeAvailable(Transport.fromWireName(transport));
        return GatewayFixture.start(Map.of("GATEWAY_SERVER_TRANSPORT", transport)).register("box");
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring", "nio"})
    void keepAliveRequestsAndWebSocketMessagesAreRelayed(String transport) throws Exception {
        try (GatewayFixture gateway = start(transport);
             TestBackend http = TestBackend.http(() -> new InfoHandler("http"));
             TestBackend echo = WebSocketEchoBackend.start(new CompletableFuture<>());
             RawHttp client = new RawHttp(gateway.port());
             RawHttp tunnel = new RawHttp(gateway.port())) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Response response = client.exchange(RawHttp.get(http.port() + "-box.localhost", "/n/" + i));
                assertEquals(200, response.status());
                assertEquals("/n/" + i, InfoHandler.parse(response.body()).get("uri"));
            }
            assertEquals(1, http.acceptedConnections(), "one pooled backend connection for the keep-alive client");
            assertEquals(101, tunnel.upgradeToWebSocket(echo.port() + "-box.localhost").status());
            for (int i = 0; i < 3; i++) {
                assertEquals("message " + i, tunnel.sendTextFrame("message " + i).readTextFrame());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring", "nio"})
    void aClientThatStopsReadingHoldsBackTheSandbox(String transport) throws Exception {
        long size = 256 * MIB;
        CountDownLatch backendBlocked = new CountDownLatch(1);
        CountDownLatch overran = new CountDownLatch(1);
        try (GatewayFixture gateway = start(transport);
             TestBackend backend = TestBackend.http(() -> new DownloadHandler(backendBlocked,
                     DownloadHandler.past(size / 2, overran)));
             RawHttp client = new RawHttp(gateway.port(), 60_000)) {
            client.send(RawHttp.get(backend.port() + "-box.localhost", "/bytes?size=" + size + "&seed=9"));
            assertTrue(backendBlocked.await(30, TimeUnit.SECONDS), "the sandbox never had to wait");
            // Loopback moves 128 MiB in well under this; a gateway that kept reading would let the sandbox do so.
            assertFalse(overran.await(3, TimeUnit.SECONDS), "the sandbox wrote half the body to a client reading nothing");

            StreamingDigest digest = new StreamingDigest();
            RawHttp.Response response = client.readResponse(false, digest::update);
            assertTrue(response.complete());
            assertEquals(PatternBody.sha256(9, size), digest.hex());
        }
    }
}
