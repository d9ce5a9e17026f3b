package dev.sandboxgateway.gateway.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gateway routing through a control plane's HTTP API, configured only by environment variables. */
class HttpRegistryRoutingTest {

    private static TestBackend app;
    private static HttpServer controlPlane;
    private static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        app = TestBackend.http(() -> new InfoHandler("app"));
        controlPlane = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        controlPlane.createContext("/v2/vms/", exchange -> {
            String id = exchange.getRequestURI().getPath().substring("/v2/vms/".length());
            byte[] body = switch (id) {
                case "web" -> "{\"vm\": {\"ip\": \"127.0.0.1\", \"phase\": \"running\"}}".getBytes(StandardCharsets.UTF_8);
                case "asleep" -> "{\"vm\": {\"ip\": \"127.0.0.1\", \"phase\": \"paused\"}}".getBytes(StandardCharsets.UTF_8);
                default -> null;
            };
            int status = "broken".equals(id) ? 500 : body == null ? 404 : 200;
            exchange.sendResponseHeaders(status, body == null ? -1 : body.length);
            if (body != null) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        controlPlane.start();
        gateway = GatewayFixture.start(GatewayFixture.config(Map.of(
                "GATEWAY_REGISTRY_TYPE", "http",
                "GATEWAY_REGISTRY_HTTP_BASE_URL", "http://127.0.0.1:" + controlPlane.getAddress().getPort(),
                "GATEWAY_REGISTRY_HTTP_PATH_TEMPLATE", "/v2/vms/{id}",
                "GATEWAY_REGISTRY_HTTP_FIELDS_BACKEND_HOST", "/vm/ip",
                "GATEWAY_REGISTRY_HTTP_FIELDS_STATE", "/vm/phase")));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        controlPlane.stop(0);
        app.close();
    }

    private static RawHttp.Response get(String id) throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            return client.exchange(RawHttp.get(app.port() + "-" + id + ".localhost", "/"));
        }
    }

    @Test
    void eachControlPlaneAnswerBecomesTheRightGatewayAnswer() throws Exception {
        assertEquals(200, get("web").status());
        assertEquals("sandbox_paused", get("asleep").header("x-gateway-error"));
        assertEquals("sandbox_not_found", get("nosuch").header("x-gateway-error"));
        RawHttp.Response broken = get("broken");
        assertEquals(503, broken.status());
        assertEquals("registry_unavailable", broken.header("x-gateway-error"));
    }
}
