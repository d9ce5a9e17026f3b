package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sandboxgateway.config.Transport;
import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.NativeTransports;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code server.deferAccept}: the kernel holds a connection that has sent nothing, so the gateway
 * neither accepts nor counts it, and takes it with its first request.
 */
class DeferAcceptTest {

    /**
     * One event loop, so connections are taken in the order they were made: without deferring, the
     * silent connection is accepted before the talking one that follows it is served.
     */
    @ParameterizedTest
    @CsvSource({"epoll, 5s, 1", "io_uring, 5s, 1", "epoll, 0s, 2", "io_uring, 0s, 2", "nio, 5s, 2"})
    void aSilentConnectionIsTakenWithItsFirstRequest(String transport, String deferAccept, int acceptedAfterOne)
            throws Exception {
        NativeTransports.assumeAvailable(Transport.fromWireName(transport));
        try (GatewayFixture gateway = GatewayFixture.start(Map.of("GATEWAY_SERVER_TRANSPORT", transport,
                     "GATEWAY_SERVER_DEFER_ACCEPT", deferAccept, "GATEWAY_SERVER_IO_THREADS", "1")).register("box");
             TestBackend backend = TestBackend.http(() -> new InfoHandler("http"));
             RawHttp silent = new RawHttp(gateway.port());
             RawHttp talking = new RawHttp(gateway.port())) {
            String host = backend.port() + "-box.localhost";
            assertEquals(200, talking.exchange(RawHttp.get(host, "/first")).status());
            assertEquals(acceptedAfterOne, gateway.gateway().activeConnections(),
                    "connections the gateway holds once the second one was served");

            RawHttp.Response late = silent.exchange(RawHttp.get(host, "/late"));
            assertEquals(200, late.status());
            assertEquals("/late", InfoHandler.parse(late.body()).get("uri"));
            assertEquals(2, gateway.gateway().activeConnections());
        }
    }
}
