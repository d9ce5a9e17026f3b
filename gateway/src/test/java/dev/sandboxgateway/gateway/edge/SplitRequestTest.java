package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.config.Transport;
import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.NativeTransports;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The plain listener's connections delay their acknowledgements (the response carries them), so a
 * client that holds back the rest of a request until its first part is acknowledged (Nagle's
 * algorithm: this test's sockets have no TCP_NODELAY) depends on the gateway asking for an
 * acknowledgement at once when it holds part of a request. Without it, the rest would wait for the
 * kernel's delayed-ACK timer, at least 40 ms on Linux, on every connection.
 */
class SplitRequestTest {

    private static final Duration DELAYED_ACK_TIMER = Duration.ofMillis(40);

    /** Connections tried: the fastest must beat the timer, so one slow exchange on a busy machine does not fail the test. */
    private static final int ATTEMPTS = 5;

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING"})
    void aHeadInTwoWritesIsNotHeldBack(Transport kind) throws Exception {
        assertFastestUnderTheTimer(kind, host -> List.of(
                "GET /split-head HTTP/1.1\r\nHost: " + host + "\r\n",
                "Connection: close\r\n\r\n"));
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING"})
    void aBodyWrittenAfterItsHeadIsNotHeldBack(Transport kind) throws Exception {
        assertFastestUnderTheTimer(kind, host -> List.of(
                "POST /split-body HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 5\r\nConnection: close\r\n\r\n",
                "hello"));
    }

    private interface SplitRequest {
        List<String> writes(String host);
    }

    private static void assertFastestUnderTheTimer(Transport kind, SplitRequest request) throws Exception {
        NativeTransports.assumeAvailable(kind);
        try (GatewayFixture gateway = GatewayFixture.start(Map.of("GATEWAY_SERVER_TRANSPORT", kind.wireName()))
                     .register("box");
             TestBackend backend = TestBackend.http(() -> new InfoHandler("http"))) {
            String host = backend.port() + "-box.localhost";
            long fastest = Long.MAX_VALUE;
            for (int i = 0; i < ATTEMPTS; i++) {
                try (RawHttp client = new RawHttp(gateway.port())) {
                    long start = System.nanoTime();
                    for (String write : request.writes(host)) {
                        client.send(write);
                    }
                    RawHttp.Response response = client.readResponse();
                    fastest = Math.min(fastest, System.nanoTime() - start);
                    assertEquals(200, response.status());
                }
            }
            assertTrue(fastest < DELAYED_ACK_TIMER.toNanos(), "the fastest of " + ATTEMPTS + " exchanges took "
                    + Duration.ofNanos(fastest).toMillis() + " ms: the rest of the request waited for an acknowledgement");
        }
    }
}
