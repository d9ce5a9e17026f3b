package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.testing.Eventually;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A sandbox registered at the gateway's own address, asked for one of the gateway's own ports: the
 * gateway would dial itself and nest connections up to its pool limit, or relay a client to its
 * admin API. It answers 502 backend_is_gateway instead, after a single connect.
 */
class GatewayAsBackendTest {

    private static double connects(GatewayFixture gateway, String result) {
        MeterRegistry registry = gateway.gateway().metrics().registry();
        return registry.get("gateway.backend.connect").tag("result", result).timer().count();
    }

    private static void assertBackendIsGateway(RawHttp.Response response, int port) {
        assertEquals(502, response.status(), response.text());
        assertEquals("backend_is_gateway", response.header("x-gateway-error"));
        assertTrue(response.text().contains("\"message\":\"Port " + port + " of sandbox box leads back to this gateway"),
                response.text());
    }

    @Test
    void theGatewayNeverRelaysToItsOwnListeners() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start(Map.of("GATEWAY_OPS_ENABLED", "true"));
             TestBackend sandbox = TestBackend.http(() -> new InfoHandler("sandbox"))) {
            gateway.register("box");
            try (RawHttp client = new RawHttp(gateway.port())) {
                assertBackendIsGateway(client.exchange(RawHttp.get(gateway.port() + "-box.localhost", "/")),
                        gateway.port());
                assertBackendIsGateway(client.exchange(RawHttp.get(gateway.adminPort() + "-box.localhost",
                        "/v1/sandboxes")), gateway.adminPort());
                assertBackendIsGateway(client.exchange(RawHttp.get(gateway.opsPort() + "-box.localhost", "/metrics")),
                        gateway.opsPort());
                assertEquals(200, client.exchange(RawHttp.get(sandbox.port() + "-box.localhost", "/")).status(),
                        "the same record still reaches its sandbox's own ports");
            }
            assertEquals(3.0, connects(gateway, "gateway"), "one connect each, none nested");
            Eventually.await("only the sandbox's connection stays open", Duration.ofSeconds(5),
                    () -> gateway.gateway().metrics().registry().get("gateway.backend.connections.open").gauge()
                            .value() == 1.0);
        }
    }

    @Test
    void aGatewayOnEveryAddressIsRecognisedThroughLoopback() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start(Map.of("GATEWAY_SERVER_BIND_ADDRESS", "0.0.0.0"))) {
            gateway.register("box");
            try (RawHttp client = new RawHttp(gateway.port())) {
                assertBackendIsGateway(client.exchange(RawHttp.get(gateway.port() + "-box.localhost", "/")),
                        gateway.port());
            }
            assertEquals(1.0, connects(gateway, "gateway"));
        }
    }
}
