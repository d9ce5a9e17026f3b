package dev.sandboxgateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxgateway.config.ConfigSource;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.routing.registry.InMemorySandboxRegistry;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.testing.Eventually;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /v1/reload (SIGHUP's path): live settings apply to the next request on open connections; the rest is refused whole. */
class ConfigReloadTest {

    private static final String BASE = """
            server: {bindAddress: 127.0.0.1, port: 0, ioThreads: 1}
            admin: {port: 0}
            registry: {type: memory}
            """;

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    private record Answer(int status, JsonNode body) {
    }

    private Answer reload(Gateway gateway) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + gateway.adminAddress().getPort() + "/v1/reload")).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), json.readTree(response.body()));
    }

    private String metrics(Gateway gateway) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminAddress().getPort()
                + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void liveSettingsApplyToTheNextRequestAndRestartOnlyOrInvalidFilesChangeNothing() throws Exception {
        Path file = Files.writeString(dir.resolve("gateway.yaml"), BASE);
        ConfigSource source = ConfigSource.of(file, Map.of());
        InMemorySandboxRegistry registry = new InMemorySandboxRegistry();
        try (TestBackend backend = TestBackend.http(() -> new InfoHandler("app"));
             Gateway gateway = Gateway.start(source, source.load(), registry)) {
            registry.put(SandboxRecord.running("box", "127.0.0.1"));
            String request = RawHttp.get(backend.port() + "-box.localhost", "/");
            try (RawHttp kept = new RawHttp(gateway.edgeAddress().getPort())) {
                assertEquals(200, kept.exchange(request).status());

                Files.writeString(file, BASE + "security: {deniedPorts: [\"" + backend.port() + "\"]}\n");
                Answer applied = reload(gateway);
                assertEquals(200, applied.status(), applied.body().toString());
                assertEquals("applied", applied.body().get("result").asText());
                assertEquals("[\"security.deniedPorts\"]", applied.body().get("changed").toString());
                RawHttp.Response denied = kept.exchange(request);
                assertEquals(403, denied.status(), "the open connection's next request follows the new port rules");
                assertEquals("port_not_allowed", denied.header("x-gateway-error"));
                assertEquals(1, gateway.activeConnections(), "no connection was dropped");

                Files.writeString(file, BASE.replace("port: 0, ioThreads", "port: 18080, ioThreads")
                        + "timeouts: {keepAliveIdle: 5s}\n");
                Answer restart = reload(gateway);
                assertEquals(409, restart.status(), restart.body().toString());
                assertEquals("restart_required", restart.body().get("result").asText());
                assertTrue(restart.body().get("message").asText().startsWith("server.port needs a restart"),
                        restart.body().toString());
                assertEquals(403, kept.exchange(request).status(), "the refused file applied nothing: still denied");

                Files.writeString(file, BASE + "security: {deniedPorts: [\"not-a-port\"]}\n");
                Answer invalid = reload(gateway);
                assertEquals(400, invalid.status(), invalid.body().toString());
                assertEquals("invalid", invalid.body().get("result").asText());
                assertTrue(invalid.body().get("message").asText().contains("security.deniedPorts"),
                        invalid.body().toString());
                assertEquals(403, kept.exchange(request).status(), "the invalid file applied nothing");

                Files.writeString(file, BASE);
                assertEquals(200, reload(gateway).status());
                assertEquals(200, kept.exchange(request).status(), "the port is open again on the same connection");
            }
            String scrape = metrics(gateway);
            assertTrue(scrape.contains("gateway_config_reloads_total{result=\"applied\"} 2.0"), scrape);
            assertTrue(scrape.contains("gateway_config_reloads_total{result=\"restart_required\"} 1.0"), scrape);
            assertTrue(scrape.contains("gateway_config_reloads_total{result=\"invalid\"} 1.0"), scrape);
        }
    }

    @Test
    void reloadNeedsTheAdminToken() throws Exception {
        Path file = Files.writeString(dir.resolve("gateway.yaml"), BASE.replace("admin: {port: 0}", "admin: {port: 0, token: secret}"));
        ConfigSource source = ConfigSource.of(file, Map.of());
        try (Gateway gateway = Gateway.start(source, source.load(), new InMemorySandboxRegistry())) {
            assertEquals(401, reload(gateway).status());
        }
    }

    @Test
    void registryTuningChangesLive() throws Exception {
        Path sandboxes = Files.writeString(dir.resolve("sandboxes.yaml"), "sandboxes: []\n");
        String fileRegistry = BASE.replace("registry: {type: memory}", "registry: {type: file, file: " + sandboxes
                + ", pollInterval: 1h}");
        Path file = Files.writeString(dir.resolve("gateway.yaml"), fileRegistry);
        ConfigSource source = ConfigSource.of(file, Map.of());
        try (Gateway gateway = Gateway.start(source, source.load())) {
            Files.writeString(file, fileRegistry.replace("pollInterval: 1h", "pollInterval: 100ms"));
            Answer applied = reload(gateway);
            assertEquals("[\"registry.pollInterval\"]", applied.body().get("changed").toString());
            Files.writeString(sandboxes, "sandboxes:\n  - {id: fresh, backendHost: 127.0.0.1}\n");
            Eventually.await("the file is read at the new interval, not the hour it started with",
                    Duration.ofSeconds(10), () -> gateway.registry().lookup("fresh").join().isPresent());
        }
    }
}
