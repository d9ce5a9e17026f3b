package dev.sandboxgateway.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What differs between the running configuration and one read again for a reload, and whether it
 * can be applied to a running gateway. Settings read per request or per connection (port rules,
 * limits, timeouts, the access log, trusted proxies, the resolution cache, the drain) change live;
 * everything that shaped the listeners, the pools or the registry connection when they were built
 * needs a restart, and a reload touching any of them is refused as a whole. docs/operations.md
 * lists both kinds.
 *
 * @param changed     every leaf key whose value differs, dotted, in declaration order
 * @param restartOnly those of them that need a restart
 */
public record ConfigChange(List<String> changed, List<String> restartOnly) {

    /** Keys, or groups of keys ending in a dot, that a running gateway applies to new requests. */
    static final List<String> LIVE = List.of("security.", "limits.maxConnections", "limits.maxRequestBodySize",
            "limits.perClientRate.", "limits.perSandboxRate.", "timeouts.", "accessLog.", "lifecycle.", "cache.",
            "shutdown.", "backend.portStartupWait", "webSocket.", "registry.pollInterval",
            "registry.redis.commandTimeout", "registry.http.timeout");

    public ConfigChange {
        changed = List.copyOf(changed);
        restartOnly = List.copyOf(restartOnly);
    }

    public static ConfigChange between(GatewayConfig running, GatewayConfig next) {
        List<String> changed = new ArrayList<>();
        collect(running, next, "", changed);
        return new ConfigChange(changed, changed.stream().filter(key -> !isLive(key)).toList());
    }

    /** Whether a running gateway takes a new value of {@code key} without a restart. */
    public static boolean isLive(String key) {
        for (String live : LIVE) {
            if (live.endsWith(".") ? key.startsWith(live) : key.equals(live)) {
                return true;
            }
        }
        return false;
    }

    public boolean appliesLive() {
        return restartOnly.isEmpty();
    }

    /** Why the reload is refused, naming the keys; only when {@link #appliesLive()} is false. */
    public String refusal() {
        return String.join(", ", restartOnly) + (restartOnly.size() == 1 ? " needs" : " need")
                + " a restart to change; nothing was applied, the running configuration stays";
    }

    private static void collect(Object running, Object next, String prefix, List<String> into) {
        for (RecordComponent component : running.getClass().getRecordComponents()) {
            String key = prefix + component.getName();
            Object before = value(component, running);
            Object after = value(component, next);
            if (component.getType().isRecord() && before != null && after != null) {
                collect(before, after, key + ".", into);
            } else if (!Objects.equals(before, after)) {
                into.add(key);
            }
        }
    }

    private static Object value(RecordComponent component, Object record) {
        try {
            return component.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + component, e);
        }
    }
}
