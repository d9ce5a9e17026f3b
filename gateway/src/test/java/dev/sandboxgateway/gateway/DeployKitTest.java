package dev.sandboxgateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sandboxgateway.config.ConfigSource;
import dev.sandboxgateway.config.GatewayConfig;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * deploy/ checked against the gateway it deploys: every embedded or example config passes
 * {@code validate} with the files its mounts would provide, the Kubernetes probes reach paths the
 * ops listener serves, the grace periods cover the drain, and the Dockerfile, the systemd unit and
 * the manifests agree on the command, ports, user and secrets.
 */
class DeployKitTest {

    private static final Path DEPLOY = Path.of("").toAbsolutePath().getParent().resolve("deploy");
    /** Where the manifests and the unit mount configuration, certificates and the sandbox file. */
    private static final String MOUNTS = "/etc/sandbox-gateway/";

    @TempDir
    Path mounts;

    private final ObjectMapper yaml = new YAMLMapper();

    /** What the mounts hold in a cluster: a cert-manager Secret (PKCS#1/SEC1 key) and a sandbox file. */
    @BeforeEach
    void provideMounts() throws Exception {
        TestCertificates.writeTraditionalSecret(new TestCertificates().issue("*.sandbox.example.dev"),
                mounts.resolve("tls"));
        Files.writeString(mounts.resolve("sandboxes.yaml"), "sandboxes: []\n");
    }

    private record Run(int status, String out, String err) {
    }

    private Run validate(String configText, String... flags) throws IOException {
        Path config = Files.writeString(mounts.resolve("gateway.yaml"), configText.replace(MOUNTS, mounts + "/"));
        List<String> args = new ArrayList<>(List.of("--config", config.toString()));
        args.addAll(List.of(flags));
        args.add("validate");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args.toArray(String[]::new), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private GatewayConfig load(String configText, Map<String, String> environment) throws Exception {
        Path config = Files.writeString(mounts.resolve("loaded.yaml"), configText.replace(MOUNTS, mounts + "/"));
        return ConfigSource.of(config, environment).load();
    }

    @ParameterizedTest
    @ValueSource(strings = {"single-node.yaml", "cluster-redis.yaml", "tls-cert-manager.yaml"})
    void everyExampleConfigPassesValidate(String name) throws Exception {
        String text = Files.readString(DEPLOY.resolve("examples").resolve(name));
        GatewayConfig config = load(text, Map.of());
        // A Redis at the example's address cannot be reached from here; the file registries are checked.
        boolean redis = config.registry().type().wireName().equals("redis");
        Run run = redis ? validate(text, "--skip-registry") : validate(text);
        assertEquals(0, run.status(), name + ": " + run.err());
    }

    @Test
    void theKubernetesManifestsFitTheGatewayTheyRun() throws Exception {
        Map<String, JsonNode> byKind = new HashMap<>();
        JsonNode kustomization = yaml.readTree(DEPLOY.resolve("kubernetes/kustomization.yaml").toFile());
        for (JsonNode resource : kustomization.path("resources")) {
            Path file = DEPLOY.resolve("kubernetes").resolve(resource.asText());
            assertTrue(Files.isRegularFile(file), "kustomization names " + file);
            for (JsonNode document : documents(file)) {
                byKind.put(document.path("kind").asText(), document);
            }
        }
        for (JsonNode document : documents(DEPLOY.resolve("kubernetes/redis.yaml"))) {
            assertFalse(document.path("kind").asText().isEmpty(), "redis.yaml: " + document);
        }

        String configText = byKind.get("ConfigMap").at("/data/gateway.yaml").asText();
        Run validated = validate(configText, "--skip-registry");
        assertEquals(0, validated.status(), "the ConfigMap's gateway.yaml: " + validated.err());
        GatewayConfig config = load(configText, Map.of());

        JsonNode pod = byKind.get("Deployment").at("/spec/template/spec");
        JsonNode container = pod.path("containers").get(0);
        Map<String, Integer> ports = new HashMap<>();
        container.path("ports").forEach(port -> ports.put(port.path("name").asText(), port.path("containerPort").asInt()));
        assertEquals(Map.of("http", config.server().port(), "https", config.tls().port(), "ops", config.ops().port()),
                ports, "container ports are the listeners' ports");
        assertTrue(config.ops().enabled(), "the probes need the ops listener");
        for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
            assertEquals("ops", container.at("/" + probe + "/httpGet/port").asText(), probe);
        }
        assertEquals("/readyz", container.at("/readinessProbe/httpGet/path").asText());
        assertEquals("/healthz", container.at("/livenessProbe/httpGet/path").asText());

        int preStop = Integer.parseInt(container.at("/lifecycle/preStop/exec/command/1").asText());
        long needed = preStop + config.shutdown().readinessGrace().toSeconds() + config.shutdown().drainTimeout().toSeconds();
        int grace = pod.path("terminationGracePeriodSeconds").asInt();
        assertTrue(grace > needed, "terminationGracePeriodSeconds " + grace + " must exceed preStop + readinessGrace"
                + " + drainTimeout = " + needed + ", or the kubelet kills the gateway mid-drain");
        assertTrue(config.shutdown().readinessGrace().compareTo(Duration.ofSeconds(2)) >= 0,
                "readinessGrace covers at least one readiness period");

        List<String> args = new ArrayList<>();
        container.path("args").forEach(arg -> args.add(arg.asText()));
        Map<String, String> mountPaths = new HashMap<>();
        container.path("volumeMounts").forEach(mount -> mountPaths.put(mount.path("name").asText(),
                mount.path("mountPath").asText()));
        assertEquals(List.of("--config", mountPaths.get("config")), args, "the config is read from where it is mounted");
        assertEquals(List.of(mountPaths.get("tls").replace(MOUNTS, mounts + "/")), config.tls().certificates(),
                "tls.certificates names the Secret's mount");
        String secretName = null;
        for (JsonNode volume : pod.path("volumes")) {
            if (volume.path("name").asText().equals("tls")) {
                secretName = volume.at("/secret/secretName").asText();
            }
        }
        assertEquals(byKind.get("Certificate").at("/spec/secretName").asText(), secretName,
                "the Deployment mounts the Secret cert-manager writes");
        assertEquals(dockerfileUser(), pod.at("/securityContext/runAsUser").asInt(), "the image's user");

        JsonNode service = byKind.get("Service");
        service.at("/spec/ports").forEach(port -> assertTrue(ports.containsKey(port.path("targetPort").asText()),
                "Service targets a container port: " + port));
        assertEquals(config.server().proxyProtocol(), service.at("/metadata/annotations")
                .has("service.beta.kubernetes.io/aws-load-balancer-proxy-protocol"),
                "PROXY protocol on at the load balancer exactly when the gateway expects it");
        JsonNode labels = byKind.get("Deployment").at("/spec/template/metadata/labels");
        assertEquals(labels, service.at("/spec/selector"));
        assertEquals(labels, byKind.get("PodDisruptionBudget").at("/spec/selector/matchLabels"));

        // The probes' paths answer 200 on a gateway running this very config (registry and ports swapped
        // for ones that exist here).
        GatewayConfig local = load(configText, Map.of("GATEWAY_REGISTRY_TYPE", "memory",
                "GATEWAY_SERVER_BIND_ADDRESS", "127.0.0.1", "GATEWAY_SERVER_PORT", "0", "GATEWAY_TLS_PORT", "0",
                "GATEWAY_OPS_BIND_ADDRESS", "127.0.0.1", "GATEWAY_OPS_PORT", "0", "GATEWAY_ADMIN_PORT", "0"));
        try (Gateway gateway = Gateway.start(local)) {
            for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
                try (RawHttp ops = new RawHttp(gateway.opsAddress().getPort())) {
                    String path = container.at("/" + probe + "/httpGet/path").asText();
                    assertEquals(200, ops.exchange(RawHttp.get("127.0.0.1", path)).status(), probe + " " + path);
                }
            }
        }
    }

    @Test
    void theDockerfileRunsTheJarAsANonRootUserAndStopsOnSigterm() throws Exception {
        String dockerfile = Files.readString(DEPLOY.resolve("docker/Dockerfile"));
        List<String> entrypoint = instruction(dockerfile, "ENTRYPOINT");
        assertEquals("java", entrypoint.get(0));
        assertEquals(List.of("-jar", "/opt/sandbox-gateway/sandbox-gateway.jar"),
                entrypoint.subList(entrypoint.size() - 2, entrypoint.size()));
        assertEquals(List.of("--config", "/etc/sandbox-gateway/gateway.yaml"), instruction(dockerfile, "CMD"));
        assertTrue(dockerfile.contains("COPY --from=build /src/gateway/target/sandbox-gateway.jar "
                + "/opt/sandbox-gateway/sandbox-gateway.jar"), "copies the jar the build makes");
        assertEquals("@/opt/sandbox-gateway/jvm.options", entrypoint.get(1), "the deploy kit's JVM options");
        assertTrue(dockerfile.contains("\nCOPY deploy/jvm.options /opt/sandbox-gateway/jvm.options\n"),
                "copies the options file the ENTRYPOINT names");
        assertTrue(Files.readString(DEPLOY.resolve("docker/Dockerfile.dockerignore")).contains("\n!deploy/jvm.options\n"),
                "the build context keeps the options file");
        assertTrue(dockerfile.contains("\nSTOPSIGNAL SIGTERM\n"));
        assertTrue(dockerfileUser() > 0, "runs as a non-root user");
        Matcher expose = Pattern.compile("\nEXPOSE ([0-9 ]+)\n").matcher(dockerfile);
        assertTrue(expose.find());
        assertEquals(List.of("8080", "8443", "9091"), List.of(expose.group(1).trim().split(" ")));
        assertTrue(Files.isRegularFile(DEPLOY.resolve("docker/Dockerfile.dockerignore")));
    }

    @Test
    void theSystemdUnitRunsTheContainersCommandReloadsOnSighupAndWaitsForTheDrain() throws Exception {
        Map<String, String> unit = new HashMap<>();
        for (String line : Files.readAllLines(DEPLOY.resolve("systemd/sandbox-gateway.service"))) {
            int equals = line.indexOf('=');
            if (!line.startsWith("#") && equals > 0) {
                unit.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        List<String> entrypoint = instruction(Files.readString(DEPLOY.resolve("docker/Dockerfile")), "ENTRYPOINT");
        List<String> execStart = List.of(unit.get("ExecStart").split(" "));
        assertEquals("/usr/bin/java", execStart.get(0));
        assertEquals(entrypoint.subList(1, entrypoint.size()), execStart.subList(1, entrypoint.size()),
                "the same JVM flags and jar as the container");
        assertEquals(List.of("--config", "/etc/sandbox-gateway/gateway.yaml"),
                execStart.subList(entrypoint.size(), execStart.size()));
        assertEquals("/bin/kill -HUP $MAINPID", unit.get("ExecReload"));
        assertEquals("SIGTERM", unit.get("KillSignal"));
        GatewayConfig config = load(Files.readString(DEPLOY.resolve("examples/single-node.yaml")), Map.of());
        long drain = config.shutdown().readinessGrace().plus(config.shutdown().drainTimeout()).toSeconds();
        assertTrue(Integer.parseInt(unit.get("TimeoutStopSec")) > drain,
                "TimeoutStopSec must exceed readinessGrace + drainTimeout (" + drain + " s)");
    }

    private List<JsonNode> documents(Path file) throws IOException {
        try (var parser = yaml.createParser(file.toFile())) {
            List<JsonNode> documents = new ArrayList<>();
            yaml.readValues(parser, JsonNode.class).forEachRemaining(documents::add);
            return documents;
        }
    }

    private static List<String> instruction(String dockerfile, String name) throws IOException {
        Matcher matcher = Pattern.compile("\n" + name + " (\\[.*])\n").matcher(dockerfile);
        assertTrue(matcher.find(), name + " in exec form");
        List<String> values = new ArrayList<>();
        new ObjectMapper().readTree(matcher.group(1)).forEach(value -> values.add(value.asText()));
        return values;
    }

    private static int dockerfileUser() throws IOException {
        Matcher user = Pattern.compile("\nUSER (\\d+)\n").matcher(Files.readString(DEPLOY.resolve("docker/Dockerfile")));
        assertTrue(user.find(), "USER by uid");
        return Integer.parseInt(user.group(1));
    }
}
