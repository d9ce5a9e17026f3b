package dev.sandboxgateway.gateway.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.config.ConfigLoader;
import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.routing.registry.FileSandboxRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default: a registry file whose edits take effect without a restart. */
class FileRegistryRoutingTest {

    @TempDir
    Path dir;

    private void write(Path file, String content) throws Exception {
        Path temp = dir.resolve("next.tmp");
        Files.writeString(temp, content);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static int statusWithin(int port, String host, int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int status;
        do {
            try (RawHttp client = new RawHttp(port)) {
                status = client.exchange(RawHttp.get(host, "/")).status();
            }
        } while (status != expected && System.nanoTime() < deadline);
        return status;
    }

    @Test
    void fileEditsTakeEffectWithoutRestart() throws Exception {
        Path registry = dir.resolve("sandboxes.yaml");
        write(registry, "sandboxes:\n  - {id: first, backendHost: 127.0.0.1}\n");
        try (TestBackend backend = TestBackend.http(() -> new InfoHandler("web"));
             GatewayFixture gateway = GatewayFixture.start(new ConfigLoader().load(null, Map.of(
                     "GATEWAY_SERVER_PORT", "0", "GATEWAY_ADMIN_PORT", "0", "GATEWAY_SERVER_BIND_ADDRESS", "127.0.0.1",
                     "GATEWAY_REGISTRY_FILE", registry.toString(), "GATEWAY_REGISTRY_POLL_INTERVAL", "100ms")))) {
            String first = backend.port() + "-first.localhost";
            String second = backend.port() + "-second.localhost";
            assertEquals(200, statusWithin(gateway.port(), first, 200));
            assertEquals(404, statusWithin(gateway.port(), second, 404));

            write(registry, "sandboxes:\n  - {id: second, backendHost: 127.0.0.1}\n");
            assertEquals(200, statusWithin(gateway.port(), second, 200), "an added sandbox is routed");
            assertEquals(404, statusWithin(gateway.port(), first, 404), "a removed sandbox is not");

            FileSandboxRegistry files = (FileSandboxRegistry) gateway.gateway().registry();
            write(registry, "sandboxes:\n  - {id: second, backendHost: 127.0.0.1, state: bogus}\n");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (files.rejectedEdits() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(1, files.rejectedEdits());
            try (RawHttp client = new RawHttp(gateway.port())) {
                assertEquals(200, client.exchange(RawHttp.get(second, "/")).status(),
                        "an invalid edit keeps the last good content");
            }

            HttpResponse<String> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + gateway.adminPort() + "/v1/sandboxes/third"))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"backendHost\":\"127.0.0.1\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(409, put.statusCode());
            assertTrue(put.body().contains("registry_read_only"), put.body());
        }
    }
}
