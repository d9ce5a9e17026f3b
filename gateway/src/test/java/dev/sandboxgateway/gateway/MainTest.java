package dev.sandboxgateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.TestCertificates;
import dev.sandboxgateway.testing.UnusedPorts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: help, version, validate and print-config, and errors that name the input at fault. */
class MainTest {

    @TempDir
    Path dir;

    private record Result(int status, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpAndVersion() {
        Result help = run("--help");
        assertEquals(0, help.status());
        assertTrue(help.out().startsWith("Usage: java -jar sandbox-gateway.jar"), help.out());
        Result version = run("--version");
        assertEquals(0, version.status());
        assertTrue(version.out().matches("sandbox-gateway \\d+\\.\\d+\\.\\d+.*\\n"), version.out());
    }

    @Test
    void validateAcceptsAGoodConfigAndRegistry() throws Exception {
        Path registry = Files.writeString(dir.resolve("sandboxes.yaml"), "sandboxes:\n  - {id: abc, backendHost: 10.0.0.1}\n");
        Path config = Files.writeString(dir.resolve("gateway.yaml"), "registry:\n  file: " + registry + "\n");
        Result result = run("--config", config.toString(), "validate");
        assertEquals(0, result.status(), result.err());
        assertEquals(config + ": configuration is valid\n", result.out());
    }

    @Test
    void validateNamesTheKeyAtFault() throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.yaml"), "server:\n  port: 99999\n");
        Result result = run("--config=" + config, "validate");
        assertEquals(2, result.status());
        assertTrue(result.err().contains("server.port: must be between 0 and 65535, was 99999"), result.err());
    }

    @Test
    void validateNamesTheRegistryFileLine() throws Exception {
        Path registry = Files.writeString(dir.resolve("sandboxes.yaml"), "sandboxes:\n  - id: abc\n    backendHost: \"\"\n");
        Path config = Files.writeString(dir.resolve("gateway.yaml"), "registry:\n  file: " + registry + "\n");
        Result result = run("-c", config.toString(), "validate");
        assertEquals(2, result.status());
        assertTrue(result.err().startsWith("registry.file: " + registry + ", line "), result.err());
        assertTrue(result.err().contains("backendHost: is required"), result.err());
    }

    @Test
    void printConfigShowsEffectiveValues() throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.yaml"), "backend:\n  connectTimeout: 250ms\n");
        Result result = run("--config", config.toString(), "print-config");
        assertEquals(0, result.status());
        assertTrue(result.out().contains("connectTimeout: \"250ms\""), result.out());
        assertTrue(result.out().contains("port: 8080"), result.out());
    }

    @Test
    void usageErrors() {
        assertEquals(64, run("--nope").status());
        assertEquals(64, run("--config").status());
        assertEquals(64, run("frobnicate").status());
        assertEquals(64, run("validate", "run").status());
        assertEquals(2, run("--config", dir.resolve("missing.yaml").toString(), "validate").status());
    }

    @Test
    void validateLoadsTheCertificatesAsRunWould() throws Exception {
        TestCertificates authority = new TestCertificates();
        Path good = TestCertificates.writeCombined(authority.issue("*.localhost"), dir.resolve("good.pem"));
        Path config = Files.writeString(dir.resolve("gateway.yaml"),
                "tls: {enabled: true, certificates: [" + good + "]}\nregistry: {type: memory}\n");
        Result valid = run("--config", config.toString(), "validate");
        assertEquals(0, valid.status(), valid.err());

        Path broken = Files.writeString(dir.resolve("broken.pem"), "-----BEGIN CERTIFICATE-----\nhalf-writ");
        Files.writeString(config, "tls: {enabled: true, certificates: [" + broken + "]}\nregistry: {type: memory}\n");
        Result invalid = run("--config", config.toString(), "validate");
        assertEquals(2, invalid.status());
        assertTrue(invalid.err().startsWith("tls.certificates: " + broken), invalid.err());
    }

    @Test
    void validateSaysWhenTheRegistryCannotBeReachedOrWasSkipped() throws Exception {
        int closedPort = UnusedPorts.next();
        Path redis = Files.writeString(dir.resolve("redis.yaml"), "registry:\n  type: redis\n  redis:\n"
                + "    uri: redis://127.0.0.1:" + closedPort + "\n");
        Result unreachable = run("--config", redis.toString(), "validate");
        assertEquals(2, unreachable.status(), unreachable.out());
        assertTrue(unreachable.err().startsWith("registry.redis: "), unreachable.err());

        Path http = Files.writeString(dir.resolve("http.yaml"), "registry:\n  type: http\n  http:\n"
                + "    baseUrl: http://127.0.0.1:" + closedPort + "\n");
        Result noControlPlane = run("--config", http.toString(), "validate");
        assertEquals(2, noControlPlane.status(), noControlPlane.out());
        assertTrue(noControlPlane.err().startsWith("registry.http: cannot be reached: "), noControlPlane.err());

        Result skipped = run("--config", redis.toString(), "--skip-registry", "validate");
        assertEquals(0, skipped.status(), skipped.err());
        assertEquals("registry: not checked (--skip-registry)\n" + redis + ": configuration is valid\n",
                skipped.out());
    }
}
