package dev.sandboxgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Tag("unit")
class ConfigLoaderTest {

    @TempDir
    Path dir;

    private final ConfigLoader loader = new ConfigLoader();

    private Path file(String name, String content) throws IOException {
        Path path = dir.resolve(name);
        Files.writeString(path, content);
        return path;
    }

    private String problem(Path file, Map<String, String> env) {
        ConfigException error = assertThrows(ConfigException.class, () -> loader.load(file, env));
        assertEquals(1, error.problems().size(), error.getMessage());
        return error.problems().get(0);
    }

    @Test
    void noFileMeansDefaults() throws Exception {
        assertEquals(GatewayConfig.defaults(), loader.load(null, Map.of()));
    }

    @Test
    void fileOverridesOnlyTheKeysItSets() throws Exception {
        GatewayConfig config = loader.load(file("gateway.yaml", """
                server:
                  port: 8443
                routing:
                  baseDomains: [sandbox.example.dev, sbx.example.dev]
                backend:
                  pool:
                    idleTimeout: 90s
                """), Map.of());
        assertEquals(8443, config.server().port());
        assertEquals("0.0.0.0", config.server().bindAddress());
        assertEquals(List.of("sandbox.example.dev", "sbx.example.dev"), config.routing().baseDomains());
        assertEquals(Duration.ofSeconds(90), config.backend().pool().idleTimeout());
        assertEquals(64, config.backend().pool().maxIdlePerBackend());
        assertNull(config.routing().sharedHosts());
    }

    @Test
    void jsonFilesWorkToo() throws Exception {
        GatewayConfig config = loader.load(file("gateway.json", "{\"admin\": {\"port\": 9191}}"), Map.of());
        assertEquals(9191, config.admin().port());
    }

    @Test
    void environmentOverridesTheFile() throws Exception {
        GatewayConfig config = loader.load(file("gateway.yaml", "server: {port: 8443}\n"), Map.of(
                "GATEWAY_SERVER_PORT", "9000",
                "GATEWAY_ROUTING_BASE_DOMAINS", "a.example.dev, b.example.dev",
                "GATEWAY_BACKEND_POOL_IDLE_TIMEOUT", "250ms",
                "GATEWAY_ACCESS_LOG_ENABLED", "false",
                "GATEWAY_ADMIN_TOKEN", "secret-token",
                "UNRELATED", "x"));
        assertEquals(9000, config.server().port());
        assertEquals(List.of("a.example.dev", "b.example.dev"), config.routing().baseDomains());
        assertEquals(Duration.ofMillis(250), config.backend().pool().idleTimeout());
        assertEquals(false, config.accessLog().enabled());
        assertEquals("secret-token", config.admin().token());
    }

    @Test
    void environmentVariableNamesFollowTheKeys() {
        Map<String, String> names = ConfigLoader.environmentVariables();
        assertEquals("backend.pool.maxIdlePerBackend", names.get("GATEWAY_BACKEND_POOL_MAX_IDLE_PER_BACKEND"));
        assertEquals("server.port", names.get("GATEWAY_SERVER_PORT"));
        assertEquals("routing.sandboxIdLength.min", names.get("GATEWAY_ROUTING_SANDBOX_ID_LENGTH_MIN"));
    }

    @Test
    void unknownKeyIsNamed() throws Exception {
        String problem = problem(file("gateway.yaml", "server:\n  prot: 8080\n"), Map.of());
        assertTrue(problem.startsWith("unknown key 'server.prot'"), problem);
        assertTrue(problem.contains("port"), problem);
    }

    @Test
    void badValueNamesTheKey() throws Exception {
        assertTrue(problem(file("a.yaml", "server:\n  port: eighty\n"), Map.of()).startsWith("server.port: "));
        String duration = problem(file("b.yaml", "timeouts:\n  keepAliveIdle: 5 minutes\n"), Map.of());
        assertTrue(duration.startsWith("timeouts.keepAliveIdle: "), duration);
        assertTrue(duration.contains("unknown"), duration);
        String transport = problem(file("c.yaml", "server:\n  transport: kqueue\n"), Map.of());
        assertTrue(transport.contains("server.transport") && transport.contains("'kqueue' is not one of auto, epoll, io_uring, nio"),
                transport);
    }

    @Test
    void badEnvironmentValueNamesTheKey() {
        String problem = problem(null, Map.of("GATEWAY_SERVER_PORT", "x"));
        assertTrue(problem.startsWith("server.port: "), problem);
    }

    @Test
    void syntaxErrorNamesFileAndLine() throws Exception {
        Path path = file("gateway.yaml", "server:\n  port: 8080\n   bad indentation: [\n");
        String problem = problem(path, Map.of());
        assertTrue(problem.startsWith(path.toString()) && problem.contains("line "), problem);
    }

    @Test
    void validationNamesEveryBadKey() throws Exception {
        ConfigException error = assertThrows(ConfigException.class, () -> loader.load(file("gateway.yaml", """
                server: {port: 70000}
                routing: {baseDomains: ["bad domain"], sandboxIdLength: {min: 5, max: 2}}
                cache: {foundTtl: 10s, refreshAfter: 20s}
                admin: {token: " "}
                """), Map.of()));
        List<String> problems = error.problems();
        assertEquals(5, problems.size(), error.getMessage());
        assertTrue(problems.contains("server.port: must be between 0 and 65535, was 70000"), error.getMessage());
        assertTrue(problems.contains("routing.baseDomains: 'bad domain' is not a domain name"), error.getMessage());
        assertTrue(problems.contains("routing.sandboxIdLength: must satisfy 1 <= min <= max <= 63, was 5..2"), error.getMessage());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("cache.refreshAfter: must be shorter than cache.foundTtl (10s)")),
                error.getMessage());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("admin.token:")), error.getMessage());
    }

    @Test
    void tlsAndHttp2SettingsBindFromFileAndEnvironmentAndAreChecked() throws Exception {
        GatewayConfig config = loader.load(file("gateway.yaml", """
                tls: {enabled: true, certificates: [/etc/a.pem], provider: openssl}
                http2: {cleartext: true}
                """), Map.of("GATEWAY_TLS_CERTIFICATES", "/etc/a.pem,/etc/b", "GATEWAY_TLS_RELOAD_INTERVAL", "1m",
                "GATEWAY_TLS_GROUPS", "X25519,P-256"));
        assertEquals(List.of("/etc/a.pem", "/etc/b"), config.tls().certificates());
        assertEquals(TlsProvider.OPENSSL, config.tls().provider());
        assertEquals(List.of("X25519", "P-256"), config.tls().groups());
        assertEquals(java.time.Duration.ofMinutes(1), config.tls().reloadInterval());
        assertTrue(config.http2().cleartext());
        assertTrue(config.http2().enabled());

        ConfigException error = assertThrows(ConfigException.class, () -> loader.load(file("bad.yaml", """
                server: {port: 8443}
                tls: {enabled: true, port: 8443, provider: jdk, groups: ["P 256"]}
                http2: {initialWindowSize: 1000}
                """), Map.of()));
        List<String> problems = error.problems();
        assertEquals(5, problems.size(), error.getMessage());
        assertTrue(problems.contains("tls.groups: 'P 256' is not a group name such as X25519, P-256 or X25519MLKEM768"),
                error.getMessage());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("tls.groups: needs tls.provider openssl or auto")),
                error.getMessage());
        assertTrue(problems.contains("tls.certificates: at least one certificate is required when tls.enabled is true"),
                error.getMessage());
        assertTrue(problems.contains("tls.port: must differ from server.port (8443)"), error.getMessage());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("http2.initialWindowSize: must be between 65535")),
                error.getMessage());
    }

    @Test
    void securityAndLimitSettingsAreCheckedWithTheEntryNamed() throws Exception {
        ConfigException error = assertThrows(ConfigException.class, () -> loader.load(file("gateway.yaml", """
                server: {proxyProtocol: true}
                security: {allowedPorts: ["1024-65535", "80-70000"], deniedPorts: [ssh], trustedProxies: []}
                limits: {maxConnections: -1, perClientRate: {requestsPerSecond: -5, burst: 10}}
                """), Map.of()));
        List<String> problems = error.problems();
        assertEquals(5, problems.size(), error.getMessage());
        assertTrue(problems.contains("server.proxyProtocol: needs security.trustedProxies, the load balancers allowed to send it"),
                error.getMessage());
        assertTrue(problems.contains("security.allowedPorts: '80-70000' is not a port range within 1-65535"), error.getMessage());
        assertTrue(problems.contains("security.deniedPorts: 'ssh' is not a port or a port range like 3000-3999"),
                error.getMessage());
        assertTrue(problems.contains("limits.maxConnections: must be between 0 and 10000000, was -1"), error.getMessage());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("limits.perClientRate.requestsPerSecond: must be")),
                error.getMessage());
    }

    @Test
    void trustedProxiesAreAddressBlocksFromTheEnvironment() throws Exception {
        GatewayConfig config = loader.load(null, Map.of("GATEWAY_SECURITY_TRUSTED_PROXIES", "10.0.0.0/8, 2001:db8::/32"));
        assertEquals(List.of("10.0.0.0/8", "2001:db8::/32"), config.security().trustedProxies());
        String problem = problem(null, Map.of("GATEWAY_SECURITY_TRUSTED_PROXIES", "10.0.0.0/8,lb.internal"));
        assertEquals("security.trustedProxies: 'lb.internal' is not an IP address or address block", problem);
    }

    @Test
    void dnsServersAreAddressesWithOptionalPorts() throws Exception {
        assertEquals(List.of(), loader.load(null, Map.of()).backend().dnsServers(), "the system's by default");
        GatewayConfig config = loader.load(null,
                Map.of("GATEWAY_BACKEND_DNS_SERVERS", "10.0.0.2, 10.0.0.3:5353, [::1]:5353, fd00::53"));
        assertEquals(List.of("10.0.0.2", "10.0.0.3:5353", "[::1]:5353", "fd00::53"), config.backend().dnsServers());
        assertEquals(List.of(new NameServer("10.0.0.2", 53), new NameServer("10.0.0.3", 5353),
                        new NameServer("::1", 5353), new NameServer("fd00::53", 53)),
                config.backend().dnsServers().stream().map(NameServer::parse).toList());
        for (String bad : List.of("dns.internal", "10.0.0.2:0", "10.0.0.2:x", "[::1", "[::1]53", "10.0.0.256")) {
            assertEquals("backend.dnsServers: '" + bad + "' is not an IP address with an optional port"
                    + " (10.0.0.2, 10.0.0.2:5353, [::1]:5353)",
                    problem(null, Map.of("GATEWAY_BACKEND_DNS_SERVERS", bad)), bad);
        }
    }

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("nope.yaml");
        assertEquals("config file " + missing + " does not exist", problem(missing, Map.of()));
    }

    @Test
    void printedConfigurationLoadsBackUnchanged() throws Exception {
        GatewayConfig config = loader.load(file("gateway.yaml", "backend: {responseTimeout: 1500ms}\n"), Map.of());
        assertEquals(config, loader.load(file("printed.yaml", loader.toYaml(config)), Map.of()));
    }

    @Test
    void ioCoalescingIsBoundedToAMillisecond() throws Exception {
        assertEquals(Duration.ZERO, loader.load(file("off.yaml", "server: {ioCoalescing: 0us}\n"), Map.of())
                .server().ioCoalescing());
        ConfigException error = assertThrows(ConfigException.class,
                () -> loader.load(file("gateway.yaml", "server: {ioCoalescing: 2ms}\n"), Map.of()));
        assertEquals(List.of("server.ioCoalescing: must be at most 1ms, was 2ms"), error.problems());
    }

    @Test
    void deferAcceptIsWholeSecondsUpToAMinute() throws Exception {
        assertEquals(Duration.ofSeconds(1), loader.load(file("default.yaml", "{}\n"), Map.of()).server().deferAccept());
        assertEquals(Duration.ZERO, loader.load(file("off.yaml", "server: {deferAccept: 0s}\n"), Map.of())
                .server().deferAccept());
        ConfigException fraction = assertThrows(ConfigException.class,
                () -> loader.load(file("gateway.yaml", "server: {deferAccept: 1500ms}\n"), Map.of()));
        assertEquals(List.of("server.deferAccept: must be whole seconds (the kernel counts it so), was 1500ms"),
                fraction.problems());
        ConfigException tooLong = assertThrows(ConfigException.class,
                () -> loader.load(file("gateway.yaml", "server: {deferAccept: 2m}\n"), Map.of()));
        assertEquals(List.of("server.deferAccept: must be at most 1m, was 2m"), tooLong.problems());
    }

    @Test
    void durationsReadAndPrintInHumanUnits() {
        assertEquals(Duration.ofMillis(250), DurationFormat.parse("250ms"));
        assertEquals(Duration.ofDays(1), DurationFormat.parse("1d"));
        assertEquals(Duration.ofSeconds(5), DurationFormat.parse("PT5S"));
        assertEquals("90s", DurationFormat.format(Duration.ofSeconds(90)));
        assertEquals("2m", DurationFormat.format(Duration.ofMinutes(2)));
        assertEquals("1500ms", DurationFormat.format(Duration.ofMillis(1500)));
        assertEquals(Duration.ofNanos(20_000), DurationFormat.parse("20us"));
        assertEquals("20us", DurationFormat.format(Duration.ofNanos(20_000)));
        assertEquals("1500us", DurationFormat.format(Duration.ofNanos(1_500_000)));
        assertEquals("1ms", DurationFormat.format(DurationFormat.parse("1000us")));
        assertThrows(IllegalArgumentException.class, () -> DurationFormat.parse("5"));
        assertThrows(IllegalArgumentException.class, () -> DurationFormat.parse("s"));
    }

    @Test
    void printedConfigHasNoSecrets() throws Exception {
        GatewayConfig config = loader.load(null, Map.of(
                "GATEWAY_ADMIN_TOKEN", "admin-secret",
                "GATEWAY_REGISTRY_HTTP_TOKEN", "registry-secret",
                "GATEWAY_WAKE_UP_URL", "https://waker:wake-secret@control.example/wake/{id}",
                "GATEWAY_WAKE_UP_TOKEN", "wake-token-secret",
                "GATEWAY_REGISTRY_REDIS_URI", "rediss://gateway:redis-secret@redis.example:6380/2",
                "GATEWAY_REGISTRY_REDIS_PASSWORD", "acl-secret"));
        String printed = loader.toYaml(config);
        for (String secret : new String[] {"admin-secret", "registry-secret", "wake-secret", "wake-token-secret",
                "redis-secret", "acl-secret"}) {
            assertFalse(printed.contains(secret), secret + " printed:\n" + printed);
        }
        assertTrue(printed.contains("uri: \"rediss://gateway:<redacted>@redis.example:6380/2\""), printed);
        assertTrue(printed.contains("url: \"https://waker:<redacted>@control.example/wake/{id}\""), printed);
    }

    @ParameterizedTest
    @CsvSource({
            "redis://127.0.0.1:6379, redis://127.0.0.1:6379",
            "redis://:pw@h:1/0, redis://:<redacted>@h:1/0",
            "redis://pw@h, redis://<redacted>@h",
            "redis://u:p@ss@h/0?x=a@b, redis://u:<redacted>@h/0?x=a@b",
            "http://h/path@x, http://h/path@x"})
    void aUriKeepsEverythingButItsPassword(String uri, String shown) {
        assertEquals(shown, SecretRedaction.withoutPassword(uri));
    }

    @Test
    void theRegistryWriteApiOffLoopbackNeedsAToken() throws Exception {
        ConfigException error = assertThrows(ConfigException.class,
                () -> loader.load(null, Map.of("GATEWAY_ADMIN_BIND_ADDRESS", "0.0.0.0")));
        assertTrue(error.getMessage().contains("admin.token: required when admin.bindAddress (0.0.0.0) is not a loopback"),
                error.getMessage());
        assertEquals("0.0.0.0", loader.load(null, Map.of("GATEWAY_ADMIN_BIND_ADDRESS", "0.0.0.0",
                "GATEWAY_ADMIN_TOKEN", "t")).admin().bindAddress());
        assertEquals("0.0.0.0", loader.load(null, Map.of("GATEWAY_ADMIN_BIND_ADDRESS", "0.0.0.0",
                "GATEWAY_ADMIN_ENABLED", "false")).admin().bindAddress(), "no admin listener, nothing to protect");
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1, true", "127.1.2.3, true", "localhost, true", "::1, true", "[::1], true",
            "0.0.0.0, false", "10.0.0.5, false", "::, false", "127.evil.example, false", "gateway.internal, false"})
    void loopbackIsOnlyWhatNamesThisHost(String address, boolean loopback) {
        assertEquals(loopback, ConfigValidator.isLoopback(address));
    }
}
