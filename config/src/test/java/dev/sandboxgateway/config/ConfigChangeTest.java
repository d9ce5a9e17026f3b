package dev.sandboxgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Tag("unit")
class ConfigChangeTest {

    private final ConfigLoader loader = new ConfigLoader();

    private ConfigChange change(String variable, String value) throws ConfigException {
        GatewayConfig running = loader.load(null, Map.of());
        return ConfigChange.between(running, loader.load(null, Map.of(variable, value)));
    }

    @Test
    void sameConfigChangesNothing() throws ConfigException {
        ConfigChange change = ConfigChange.between(loader.load(null, Map.of()), loader.load(null, Map.of()));
        assertEquals(List.of(), change.changed());
        assertTrue(change.appliesLive());
    }

    @ParameterizedTest
    @CsvSource({
            "GATEWAY_SECURITY_DENIED_PORTS, 22, security.deniedPorts",
            "GATEWAY_SECURITY_TRUSTED_PROXIES, 10.0.0.0/8, security.trustedProxies",
            "GATEWAY_LIMITS_MAX_CONNECTIONS, 10, limits.maxConnections",
            "GATEWAY_LIMITS_PER_CLIENT_RATE_REQUESTS_PER_SECOND, 5, limits.perClientRate.requestsPerSecond",
            "GATEWAY_TIMEOUTS_KEEP_ALIVE_IDLE, 5s, timeouts.keepAliveIdle",
            "GATEWAY_ACCESS_LOG_ENABLED, false, accessLog.enabled",
            "GATEWAY_CACHE_MAXIMUM_SIZE, 10, cache.maximumSize",
            "GATEWAY_LIFECYCLE_CLOSE_GRACE, 1s, lifecycle.closeGrace",
            "GATEWAY_SHUTDOWN_DRAIN_TIMEOUT, 5s, shutdown.drainTimeout",
            "GATEWAY_REGISTRY_POLL_INTERVAL, 5s, registry.pollInterval",
            "GATEWAY_REGISTRY_REDIS_COMMAND_TIMEOUT, 3s, registry.redis.commandTimeout",
            "GATEWAY_REGISTRY_HTTP_TIMEOUT, 5s, registry.http.timeout",
            "GATEWAY_BACKEND_PORT_STARTUP_WAIT, 1s, backend.portStartupWait",
            "GATEWAY_WEB_SOCKET_PING_INTERVAL, 30s, webSocket.pingInterval",
    })
    void liveSettingsApplyWithoutRestart(String variable, String value, String key) throws ConfigException {
        ConfigChange change = change(variable, value);
        assertEquals(List.of(key), change.changed());
        assertTrue(change.appliesLive(), change.restartOnly().toString());
    }

    @ParameterizedTest
    @CsvSource({
            "GATEWAY_SERVER_PORT, 8081, server.port",
            "GATEWAY_SERVER_TRANSPORT, nio, server.transport",
            "GATEWAY_TLS_PORT, 9443, tls.port",
            "GATEWAY_ADMIN_PORT, 9999, admin.port",
            "GATEWAY_REGISTRY_REDIS_URI, redis://10.0.0.1:6379, registry.redis.uri",
            "GATEWAY_ROUTING_BASE_DOMAINS, sandbox.example.dev, routing.baseDomains",
            "GATEWAY_BACKEND_POOL_MAX_IDLE_PER_BACKEND, 4, backend.pool.maxIdlePerBackend",
            "GATEWAY_LIMITS_MAX_CONNECTIONS_PER_SANDBOX, 10, limits.maxConnectionsPerSandbox",
            "GATEWAY_REGISTRY_HTTP_MAX_CONCURRENT_REQUESTS, 8, registry.http.maxConcurrentRequests",
            "GATEWAY_BACKEND_MAX_HELD_REQUESTS, 500, backend.maxHeldRequests",
    })
    void restartOnlySettingsAreRefusedNamingTheKey(String variable, String value, String key)
            throws ConfigException {
        ConfigChange change = change(variable, value);
        assertEquals(List.of(key), change.restartOnly());
        assertFalse(change.appliesLive());
        assertTrue(change.refusal().startsWith(key + " needs a restart"), change.refusal());
    }

    @Test
    void oneRestartOnlyKeyRefusesTheWholeChange() throws ConfigException {
        GatewayConfig running = loader.load(null, Map.of());
        ConfigChange change = ConfigChange.between(running, loader.load(null,
                Map.of("GATEWAY_TIMEOUTS_KEEP_ALIVE_IDLE", "5s", "GATEWAY_HTTP2_ENABLED", "false")));
        assertEquals(List.of("timeouts.keepAliveIdle", "http2.enabled"), change.changed());
        assertEquals(List.of("http2.enabled"), change.restartOnly());
        assertFalse(change.appliesLive());
    }
}
