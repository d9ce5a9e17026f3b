package dev.sandboxgateway.gateway.testing;

import dev.sandboxgateway.config.ConfigLoader;
import dev.sandboxgateway.config.GatewayConfig;
import dev.sandboxgateway.gateway.Gateway;
import dev.sandboxgateway.routing.registry.InMemorySandboxRegistry;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.registry.SandboxRegistry;
import dev.sandboxgateway.routing.registry.WritableSandboxRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A real gateway on loopback with ephemeral edge and admin ports. Settings are given as the
 * {@code GATEWAY_*} environment overrides users would set, over test-friendly defaults.
 */
public final class GatewayFixture implements AutoCloseable {

    private final Gateway gateway;
    private final SandboxRegistry registry;

    private GatewayFixture(Gateway gateway, SandboxRegistry registry) {
        this.gateway = gateway;
        this.registry = registry;
    }

    public static GatewayFixture start() throws Exception {
        return start(Map.of());
    }

    public static GatewayFixture start(Map<String, String> overrides) throws Exception {
        return start(overrides, new InMemorySandboxRegistry());
    }

    public static GatewayFixture start(Map<String, String> overrides, SandboxRegistry registry) throws Exception {
        return new GatewayFixture(Gateway.start(config(overrides), registry), registry);
    }

    /** The test-friendly settings with {@code overrides} applied, as the gateway would load them. */
    public static GatewayConfig config(Map<String, String> overrides) throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put("GATEWAY_SERVER_BIND_ADDRESS", "127.0.0.1");
        settings.put("GATEWAY_SERVER_PORT", "0");
        settings.put("GATEWAY_SERVER_IO_THREADS", "2");
        settings.put("GATEWAY_ADMIN_PORT", "0");
        settings.put("GATEWAY_OPS_BIND_ADDRESS", "127.0.0.1");
        settings.put("GATEWAY_OPS_PORT", "0");
        settings.put("GATEWAY_TLS_PORT", "0");
        settings.put("GATEWAY_REGISTRY_TYPE", "memory");
        settings.putAll(overrides);
        return new ConfigLoader().load(null, settings);
    }

    /** Opens the registry the configuration names, as the gateway does on its own. */
    public static GatewayFixture start(GatewayConfig config) throws Exception {
        Gateway gateway = Gateway.start(config);
        return new GatewayFixture(gateway, gateway.registry());
    }

    public int port() {
        return gateway.edgeAddress().getPort();
    }

    /** The TLS listener's port; only with {@code GATEWAY_TLS_ENABLED=true}. */
    public int tlsPort() {
        return gateway.tlsAddress().getPort();
    }

    public int adminPort() {
        return gateway.adminAddress().getPort();
    }

    /** The ops listener's port; only with {@code GATEWAY_OPS_ENABLED=true}. */
    public int opsPort() {
        return gateway.opsAddress().getPort();
    }

    public Gateway gateway() {
        return gateway;
    }

    public GatewayFixture register(SandboxRecord record) {
        ((WritableSandboxRegistry) registry).put(record).join();
        return this;
    }

    /** Registers a running sandbox whose ports are on 127.0.0.1. */
    public GatewayFixture register(String id) {
        return register(SandboxRecord.running(id, "127.0.0.1"));
    }

    @Override
    public void close() {
        gateway.shutdown(Duration.ofSeconds(5));
    }
}
