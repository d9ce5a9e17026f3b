package dev.sandboxgateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.gateway.testing.TestCertificates;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar README tells operators to run, started as they would start it ({@code java -jar}) on the
 * JDK running this build: it serves a sandbox from a registry file over HTTP and HTTPS (certificates
 * with PKCS#8, PKCS#1 and SEC1 keys), drains on
 * SIGTERM and exits with status 0, and prints nothing the JVM or Netty would only print to complain.
 * On JDK 22 and later the JVM warns about every JNI library loaded without native access granted
 * (io_uring or epoll, BoringSSL); the jar's manifest grants it.
 */
class ExecutableJarIT {

    private static final Path JAR = Path.of("target", "sandbox-gateway.jar");
    private static final Path DOCKERFILE = Path.of("").toAbsolutePath().getParent().resolve("deploy/docker/Dockerfile");
    private static final Path JVM_OPTIONS = DOCKERFILE.getParent().getParent().resolve("jvm.options");
    private static final String IMAGE_JVM_OPTIONS = "/opt/sandbox-gateway/jvm.options";
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+) "
            + "and https://127\\.0\\.0\\.1:(\\d+) .*admin on http://127\\.0\\.0\\.1:(\\d+)");
    /** Queued after the last line; a NUL never starts a log line. */
    private static final String END_OF_OUTPUT = "\u0000end of output";

    @TempDir
    Path dir;

    private final List<String> output = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private Process gateway;
    private TestBackend backend;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null && gateway.isAlive()) {
            gateway.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void servesASandboxAndStopsOnSigtermWithoutWarnings() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR.toAbsolutePath() + " is built by the package phase");
        backend = TestBackend.http(() -> new InfoHandler("sandbox"));
        TestCertificates authority = new TestCertificates();
        Path certificate = TestCertificates.writeCombined(authority.issue("*.localhost"), dir.resolve("tls.pem"));
        // Keys as cert-manager and openssl write them by default: PKCS#1 RSA and SEC1 EC, read through Bouncy Castle.
        Path rsaSecret = TestCertificates.writeTraditionalSecret(authority.issueRsa("rsa.test"), dir.resolve("rsa"));
        Path ecSecret = TestCertificates.writeTraditionalSecret(authority.issue("ec.test"), dir.resolve("ec"));
        Path registry = Files.writeString(dir.resolve("sandboxes.yaml"),
                "sandboxes:\n  - {id: demo, suffix: abc123, backendHost: 127.0.0.1}\n");
        Path config = Files.writeString(dir.resolve("gateway.yaml"), String.join("\n",
                "server: {bindAddress: 127.0.0.1, port: 0}",
                "admin: {bindAddress: 127.0.0.1, port: 0}",
                "registry: {type: file, file: " + registry + "}",
                "tls: {enabled: true, port: 0, certificates: [" + certificate + ", " + rsaSecret + ", " + ecSecret + "]}",
                ""));

        start(config);
        Matcher listening = awaitLine(LISTENING);
        int edgePort = Integer.parseInt(listening.group(1));
        int tlsPort = Integer.parseInt(listening.group(2));
        int adminPort = Integer.parseInt(listening.group(3));
        String host = backend.port() + "-demo-abc123.localhost";

        try (RawHttp client = new RawHttp(edgePort)) {
            assertProxied(client.exchange(RawHttp.get(host, "/app?x=1")), "/app?x=1");
        }
        try (RawHttp client = new RawHttp(authority.connect(tlsPort, host), 10_000)) {
            assertProxied(client.exchange(RawHttp.get(host, "/secure")), "/secure");
        }
        for (String name : new String[] {"rsa.test", "ec.test"}) {
            try (SSLSocket socket = authority.connect(tlsPort, name)) {
                X509Certificate served = (X509Certificate) socket.getSession().getPeerCertificates()[0];
                assertEquals("CN=" + name, served.getSubjectX500Principal().getName());
            }
        }
        try (RawHttp admin = new RawHttp(adminPort)) {
            assertEquals(200, admin.exchange(RawHttp.get("127.0.0.1", "/healthz")).status());
        }

        // SIGHUP reloads: a live setting applies to the next request, a restart-only one is refused.
        String configText = Files.readString(config);
        Files.writeString(config, configText + "security: {deniedPorts: [\"" + backend.port() + "\"]}\n");
        signal("HUP");
        awaitLine(Pattern.compile("configuration reloaded: applied security\\.deniedPorts"));
        try (RawHttp client = new RawHttp(edgePort)) {
            assertEquals(403, client.exchange(RawHttp.get(host, "/")).status());
        }
        Files.writeString(config, configText.replace("server: {bindAddress: 127.0.0.1, port: 0}",
                "server: {bindAddress: 127.0.0.1, port: 1}"));
        signal("HUP");
        awaitLine(Pattern.compile("configuration reload refused: server\\.port needs a restart"));
        try (RawHttp client = new RawHttp(edgePort)) {
            assertEquals(403, client.exchange(RawHttp.get(host, "/")).status(), "the refused file changed nothing");
        }

        // SIGTERM through the process handle: Process.destroy would also close the output being read.
        assertTrue(gateway.toHandle().destroy(), "SIGTERM refused");
        assertTrue(gateway.waitFor(30, TimeUnit.SECONDS), "the gateway did not stop within 30 s of SIGTERM");
        awaitLine(Pattern.compile("shutdown complete"));
        assertEquals(0, gateway.exitValue(), "exit status after a clean stop (the JVM's own would be 143)");
        for (String line : output) {
            assertFalse(line.startsWith("WARNING") || line.contains("LEAK:"), "the gateway printed: " + line
                    + "\nwhole output:\n" + String.join("\n", output));
        }
    }

    @Test
    void writesJsonApplicationLogsWhenAsked() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR.toAbsolutePath() + " is built by the package phase");
        Path registry = Files.writeString(dir.resolve("sandboxes.yaml"), "sandboxes: []\n");
        Path config = Files.writeString(dir.resolve("gateway.yaml"), String.join("\n",
                "server: {bindAddress: 127.0.0.1, port: 0}",
                "admin: {enabled: false}",
                "registry: {type: file, file: " + registry + "}",
                "logging: {format: json}",
                ""));
        start(config);
        Matcher listening = awaitLine(Pattern.compile("^\\{.*\"formattedMessage\":\"sandbox gateway listening on .*$"));
        JsonNode line = new ObjectMapper().readTree(listening.group());
        assertEquals("INFO", line.path("level").asText(), line.toString());
        assertEquals("dev.sandboxgateway.gateway.Gateway", line.path("loggerName").asText(), line.toString());
        assertTrue(line.path("timestamp").asLong() > 0, line.toString());
        assertTrue(line.path("formattedMessage").asText().startsWith("sandbox gateway listening on http://127.0.0.1:"),
                line.toString());
        assertTrue(gateway.toHandle().destroy(), "SIGTERM refused");
        assertTrue(gateway.waitFor(30, TimeUnit.SECONDS), "the gateway did not stop within 30 s of SIGTERM");
        assertEquals(0, gateway.exitValue());
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(gateway.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name + " failed");
    }

    private static void assertProxied(RawHttp.Response response, String uri) {
        assertEquals(200, response.status(), response.text());
        assertEquals(uri, InfoHandler.parse(response.body()).get("uri"));
    }

    /**
     * Starts the jar as the container image does (the Dockerfile's ENTRYPOINT, with this JDK's java
     * and the jar just built), with every buffer tracked for leaks, collecting its output line by line.
     */
    private void start(Path config) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Matcher entrypoint = Pattern.compile("\nENTRYPOINT (\\[.*])\n").matcher(Files.readString(DOCKERFILE));
        assertTrue(entrypoint.find(), "ENTRYPOINT in " + DOCKERFILE);
        List<String> command = new ArrayList<>();
        new ObjectMapper().readTree(entrypoint.group(1)).forEach(part -> command.add(part.asText()));
        assertEquals(List.of("-jar", "/opt/sandbox-gateway/sandbox-gateway.jar"), command.subList(command.size() - 2,
                command.size()));
        command.set(0, java.toString());
        command.set(command.size() - 1, JAR.toString());
        // The image's copy of deploy/jvm.options is this checkout's.
        command.replaceAll(part -> part.equals("@" + IMAGE_JVM_OPTIONS) ? "@" + JVM_OPTIONS : part);
        command.add(command.size() - 2, "-Dio.netty.leakDetection.level=paranoid");
        command.addAll(List.of("--config", config.toString()));
        gateway = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    output.add(line);
                    lines.add(line);
                }
            } catch (IOException e) {
                output.add("reading the gateway's output failed: " + e);
            } finally {
                lines.add(END_OF_OUTPUT);
            }
        }, "gateway-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** The first line from here on that matches {@code pattern}; fails after 30 s or at the end of the output. */
    private Matcher awaitLine(Pattern pattern) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            assertNotNull(line, "no line matching " + pattern + " within 30 s; output:\n" + String.join("\n", output));
            assertFalse(line.equals(END_OF_OUTPUT), "the gateway's output ended without a line matching " + pattern
                    + ":\n" + String.join("\n", output));
            Matcher matcher = pattern.matcher(line);
            if (matcher.find()) {
                return matcher;
            }
        }
    }
}
