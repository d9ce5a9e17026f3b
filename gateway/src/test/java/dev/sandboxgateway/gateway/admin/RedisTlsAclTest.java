package dev.sandboxgateway.gateway.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.StartupException;
import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.TestCertificates;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.registry.WritableSandboxRegistry;
import dev.sandboxgateway.testing.Eventually;
import dev.sandboxgateway.testing.RedisServer;
import io.netty.pkitesting.X509Bundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A managed-Redis setup: TLS with a private CA, the default user off, an ACL user whose password
 * comes from a mounted file or the environment. Wrong credentials and an untrusted certificate are
 * startup errors naming the setting, not a gateway that retries forever.
 */
class RedisTlsAclTest {

    private static final String PASSWORD = "s3cret-for-gateways";

    @TempDir
    static Path dir;

    private static TestCertificates authority;
    private static RedisServer redis;
    private static Path ca;

    @BeforeAll
    static void start() throws Exception {
        authority = new TestCertificates();
        X509Bundle server = authority.issueForLoopback();
        Path certificate = Files.writeString(dir.resolve("redis.crt"), server.getCertificatePathPEM());
        Path key = Files.writeString(dir.resolve("redis.key"), server.getPrivateKeyPEM());
        ca = authority.writeAuthority(dir.resolve("ca.pem"));
        redis = RedisServer.startTls(certificate, key, ca, List.of("--user", "default", "off",
                "--user", "gateway", "on", ">" + PASSWORD, "~*", "&*", "+@all"));
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    private static Map<String, String> settings(String... overrides) {
        Map<String, String> settings = new HashMap<>(Map.of("GATEWAY_REGISTRY_TYPE", "redis",
                "GATEWAY_REGISTRY_REDIS_URI", redis.uri(), "GATEWAY_REGISTRY_REDIS_USERNAME", "gateway",
                "GATEWAY_REGISTRY_REDIS_TLS_CA_FILE", ca.toString(), "GATEWAY_REGISTRY_REDIS_COMMAND_TIMEOUT", "3s"));
        for (int i = 0; i < overrides.length; i += 2) {
            settings.put(overrides[i], overrides[i + 1]);
        }
        return settings;
    }

    @Test
    void aGatewayUsesTlsAndAnAclUserWithItsPasswordFromAFile() throws Exception {
        Path passwordFile = Files.writeString(dir.resolve("redis-password"), PASSWORD + "\n");
        try (GatewayFixture gateway = GatewayFixture.start(GatewayFixture.config(
                settings("GATEWAY_REGISTRY_REDIS_PASSWORD_FILE", passwordFile.toString())))) {
            WritableSandboxRegistry registry = (WritableSandboxRegistry) gateway.gateway().registry();
            Eventually.await("connected over TLS", Duration.ofSeconds(10), registry::isAvailable);
            registry.put(SandboxRecord.running("abc", "10.0.0.5")).join();
            assertEquals("10.0.0.5", registry.lookup("abc").join().orElseThrow().backendHost());
        }
    }

    @Test
    void orFromTheEnvironment() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start(GatewayFixture.config(
                settings("GATEWAY_REGISTRY_REDIS_PASSWORD", PASSWORD)))) {
            Eventually.await("connected over TLS", Duration.ofSeconds(10), () -> gateway.gateway().registry().isAvailable());
        }
    }

    @Test
    void aWrongPasswordIsAStartupErrorNamingTheSetting() throws Exception {
        Path wrong = Files.writeString(dir.resolve("wrong-password"), "not-it\n");
        StartupException error = assertThrows(StartupException.class, () -> GatewayFixture.start(GatewayFixture.config(
                settings("GATEWAY_REGISTRY_REDIS_PASSWORD_FILE", wrong.toString()))));
        assertTrue(error.getMessage().startsWith("registry.redis.passwordFile: Redis refused the credentials of user "
                + "'gateway'"), error.getMessage());
    }

    @Test
    void anUntrustedCertificateIsAStartupErrorNamingTheSetting() throws Exception {
        Path otherCa = new TestCertificates().writeAuthority(dir.resolve("other-ca.pem"));
        StartupException error = assertThrows(StartupException.class, () -> GatewayFixture.start(GatewayFixture.config(
                settings("GATEWAY_REGISTRY_REDIS_PASSWORD", PASSWORD,
                        "GATEWAY_REGISTRY_REDIS_TLS_CA_FILE", otherCa.toString()))));
        assertTrue(error.getMessage().startsWith("registry.redis.tls.caFile: the Redis server's certificate is not "
                + "trusted by " + otherCa), error.getMessage());
    }

    @Test
    void aServerThatAsksForAClientCertificateGetsTheOneConfigured() throws Exception {
        X509Bundle server = authority.issueForLoopback();
        Path certificate = Files.writeString(dir.resolve("mtls-redis.crt"), server.getCertificatePathPEM());
        Path key = Files.writeString(dir.resolve("mtls-redis.key"), server.getPrivateKeyPEM());
        X509Bundle gatewayIdentity = authority.issueClient("gateway");
        Path clientCertificate = Files.writeString(dir.resolve("gateway.crt"), gatewayIdentity.getCertificatePathPEM());
        Path clientKey = Files.writeString(dir.resolve("gateway.key"), gatewayIdentity.getPrivateKeyPEM());
        try (RedisServer mutual = RedisServer.startTls(certificate, key, ca, List.of("--tls-auth-clients", "yes"))) {
            Map<String, String> withIdentity = new HashMap<>(Map.of("GATEWAY_REGISTRY_TYPE", "redis",
                    "GATEWAY_REGISTRY_REDIS_URI", mutual.uri(), "GATEWAY_REGISTRY_REDIS_TLS_CA_FILE", ca.toString(),
                    "GATEWAY_REGISTRY_REDIS_TLS_CERTIFICATE_FILE", clientCertificate.toString(),
                    "GATEWAY_REGISTRY_REDIS_TLS_KEY_FILE", clientKey.toString(),
                    "GATEWAY_REGISTRY_REDIS_COMMAND_TIMEOUT", "3s"));
            try (GatewayFixture gateway = GatewayFixture.start(GatewayFixture.config(withIdentity))) {
                WritableSandboxRegistry registry = (WritableSandboxRegistry) gateway.gateway().registry();
                Eventually.await("connected with a client certificate", Duration.ofSeconds(10), registry::isAvailable);
                registry.put(SandboxRecord.running("mtls", "10.0.0.6")).join();
                assertEquals("10.0.0.6", registry.lookup("mtls").join().orElseThrow().backendHost());
            }
            withIdentity.remove("GATEWAY_REGISTRY_REDIS_TLS_CERTIFICATE_FILE");
            withIdentity.remove("GATEWAY_REGISTRY_REDIS_TLS_KEY_FILE");
            StartupException refused = assertThrows(StartupException.class,
                    () -> GatewayFixture.start(GatewayFixture.config(withIdentity)));
            assertTrue(refused.getMessage().startsWith("registry.redis.tls.certificateFile: "), refused.getMessage());
        }
    }
}
