package dev.sandboxgateway.gateway.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Health, readiness, metrics and the registry API, through a real HTTP client. */
class AdminApiTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static TestBackend backend;
    private static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.http(() -> new InfoHandler("web"));
        gateway = GatewayFixture.start(Map.of("GATEWAY_ADMIN_TOKEN", "test-admin-token"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    private static HttpResponse<String> admin(String method, String path, String body, boolean authorised)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorised) {
            request.header("Authorization", "Bearer test-admin-token");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int route(String id) throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            return client.exchange("GET / HTTP/1.1\r\nHost: " + backend.port() + "-" + id
                    + ".localhost\r\nX-Access-Token: secret\r\n\r\n").status();
        }
    }

    @Test
    void healthAndReadiness() throws Exception {
        HttpResponse<String> health = admin("GET", "/healthz", null, false);
        assertEquals(200, health.statusCode());
        assertEquals("{\"status\":\"ok\"}", health.body());
        HttpResponse<String> ready = admin("GET", "/readyz", null, false);
        assertEquals(200, ready.statusCode());
        assertEquals("{\"status\":\"ready\"}", ready.body());
    }

    @Test
    void sandboxesWrittenThroughTheApiAreRoutedAtOnce() throws Exception {
        assertEquals(404, route("apibox"));
        HttpResponse<String> put = admin("PUT", "/v1/sandboxes/apibox",
                "{\"backendHost\":\"127.0.0.1\",\"suffix\":\"abcd\",\"accessToken\":\"secret\",\"labels\":{\"team\":\"web\"},"
                        + "\"allowedClients\":[\"127.0.0.1/8\"]}", true);
        assertEquals(200, put.statusCode(), put.body());
        assertEquals(200, route("apibox"));

        HttpResponse<String> get = admin("GET", "/v1/sandboxes/apibox", null, true);
        assertEquals(200, get.statusCode());
        assertTrue(get.body().contains("\"hasAccessToken\":true"), get.body());
        assertTrue(get.body().contains("\"allowedClients\":[\"127.0.0.0/8\"]"), get.body());
        assertFalse(get.body().contains("secret"), "the token is never echoed: " + get.body());
        assertTrue(get.body().contains("\"state\":\"running\""), get.body());
        assertTrue(admin("GET", "/v1/sandboxes", null, true).body().contains("\"id\":\"apibox\""));

        admin("PUT", "/v1/sandboxes/apibox", "{\"backendHost\":\"127.0.0.1\",\"state\":\"paused\"}", true);
        assertEquals(503, route("apibox"));

        assertEquals(204, admin("DELETE", "/v1/sandboxes/apibox", null, true).statusCode());
        assertEquals(404, route("apibox"));
        assertEquals(404, admin("DELETE", "/v1/sandboxes/apibox", null, true).statusCode());
        assertEquals(404, admin("GET", "/v1/sandboxes/apibox", null, true).statusCode());
    }

    @Test
    void invalidSandboxesAreRejectedNamingTheField() throws Exception {
        assertInvalid("{\"backendHost\":\"\"}", "backendHost", "backendHost: is required");
        assertInvalid("{\"backendHost\":\"h\",\"state\":\"sleeping\"}", "state", "'sleeping' is not one of");
        assertInvalid("{\"backendHost\":\"h\",\"allowedPorts\":[70000]}", "allowedPorts", "70000 is not a port number");
        assertInvalid("{\"backendHost\":\"h\",\"prot\":1}", "prot", "prot: unknown field");
        assertInvalid("{\"backendHost\":\"h\",\"allowedClients\":[\"10.0.0.0/33\"]}", "allowedClients",
                "the prefix length must be at most 32");
        assertInvalid("{\"backendHost\":\"h\",\"maxRequestBodySize\":-1}", "maxRequestBodySize", "must not be negative");
        assertInvalid("{\"id\":\"other\",\"backendHost\":\"h\"}", "id", "differs from");
        HttpResponse<String> notJson = admin("PUT", "/v1/sandboxes/x1", "backendHost=h", true);
        assertEquals(400, notJson.statusCode());
        assertInvalid("{\"backendHost\":\"h\"}", "id", "may contain only a-z and 0-9", "/v1/sandboxes/Bad_Id");
    }

    private static void assertInvalid(String body, String field, String message) throws Exception {
        assertInvalid(body, field, message, "/v1/sandboxes/x1");
    }

    private static void assertInvalid(String body, String field, String message, String path) throws Exception {
        HttpResponse<String> response = admin("PUT", path, body, true);
        assertEquals(400, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"code\":\"invalid_sandbox\""), response.body());
        assertTrue(response.body().contains("\"field\":\"" + field + "\""), response.body());
        assertTrue(response.body().contains(message), response.body());
    }

    @Test
    void registryApiRequiresTheTokenWhenOneIsSet() throws Exception {
        HttpResponse<String> anonymous = admin("GET", "/v1/sandboxes", null, false);
        assertEquals(401, anonymous.statusCode());
        assertEquals("Bearer", anonymous.headers().firstValue("WWW-Authenticate").orElse(""));
        assertEquals(200, admin("GET", "/v1/sandboxes", null, true).statusCode());
    }

    @Test
    void metricsArePrometheusText() throws Exception {
        gateway.register("metered");
        assertEquals(200, route("metered"));
        assertEquals(404, route("unmetered"));
        HttpResponse<String> metrics = admin("GET", "/metrics", null, false);
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        String text = metrics.body();
        for (String series : new String[] {
                "gateway_requests_seconds_count{source=\"backend\",status=\"2xx\"}",
                "gateway_requests_seconds_count{source=\"gateway\",status=\"4xx\"}",
                "gateway_backend_connect_seconds_count{result=\"success\"}",
                "gateway_backend_requests_total{connection=\"new\"}",
                "gateway_connections_active",
                "gateway_websocket_tunnels_active",
                "gateway_backend_connections_open",
                "gateway_backend_connections_idle",
                "gateway_registry_lookups_total{result=\"miss\"}",
                "gateway_registry_lookups_total{result=\"not_found\"}",
                "cache_gets_total{cache=\"sandboxes\",result=\"hit\"}",
                "jvm_memory_used_bytes"}) {
            assertTrue(text.contains(series), "missing " + series);
        }
        assertFalse(text.contains("metered"), "no sandbox id may appear as a label");
        double directBytes = text.lines()
                .filter(line -> line.startsWith("netty_allocator_memory_used{")
                        && line.contains("memory_type=\"direct\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no direct memory series in\n" + text));
        assertTrue(directBytes > 0, "the relay's buffers are direct memory, in use after a request: " + directBytes);
    }

    @Test
    void unknownAdminPathIs404() throws Exception {
        assertEquals(404, admin("GET", "/nope", null, true).statusCode());
        assertEquals(405, admin("POST", "/v1/sandboxes", "{}", true).statusCode());
    }

    @Test
    void theOpsListenerServesProbesAndMetricsButNeverTheRegistryApi() throws Exception {
        try (GatewayFixture withOps = GatewayFixture.start(Map.of("GATEWAY_OPS_ENABLED", "true",
                "GATEWAY_ADMIN_TOKEN", "test-admin-token"))) {
            String ops = "http://127.0.0.1:" + withOps.opsPort();
            assertEquals(200, get(ops + "/healthz", null).statusCode());
            assertEquals("{\"status\":\"ready\"}", get(ops + "/readyz", null).body());
            assertTrue(get(ops + "/metrics", null).body().contains("gateway_connections_active"));
            // Not even with the token: writes stay on the admin listener.
            assertEquals(404, get(ops + "/v1/sandboxes", "Bearer test-admin-token").statusCode());
            assertEquals(200, get("http://127.0.0.1:" + withOps.adminPort() + "/v1/sandboxes", "Bearer test-admin-token")
                    .statusCode(), "the admin listener still serves the registry API");
        }
    }

    private static HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
