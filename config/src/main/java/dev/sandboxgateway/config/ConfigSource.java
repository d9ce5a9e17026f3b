package dev.sandboxgateway.config;

import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Where a running gateway's configuration comes from, read once at start and again on every reload. */
@FunctionalInterface
public interface ConfigSource {

    GatewayConfig load() throws ConfigException;

    /** The defaults, then {@code file} when given, then the {@code GATEWAY_*} variables of {@code environment}. */
    static ConfigSource of(@Nullable Path file, Map<String, String> environment) {
        Map<String, String> captured = Map.copyOf(environment);
        return () -> new ConfigLoader().load(file, captured);
    }

    /** Always {@code config}: a gateway built in code, whose reload finds nothing changed. */
    static ConfigSource fixed(GatewayConfig config) {
        return () -> config;
    }
}
