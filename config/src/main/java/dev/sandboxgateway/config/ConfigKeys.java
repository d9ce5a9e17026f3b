package dev.sandboxgateway.config;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Every leaf key of the configuration, derived from the records so the list cannot drift from them. */
final class ConfigKeys {

    /** A leaf key: its dotted path segments and Java type. */
    record Key(List<String> path, Class<?> type) {

        String dotted() {
            return String.join(".", path);
        }

        /** {@code backend.pool.idleTimeout} becomes {@code GATEWAY_BACKEND_POOL_IDLE_TIMEOUT}. */
        String environmentVariable() {
            StringBuilder name = new StringBuilder("GATEWAY");
            for (String segment : path) {
                name.append('_');
                for (int i = 0; i < segment.length(); i++) {
                    char c = segment.charAt(i);
                    if (Character.isUpperCase(c)) {
                        name.append('_');
                    }
                    name.append(Character.toUpperCase(c));
                }
            }
            return name.toString().toUpperCase(Locale.ROOT);
        }
    }

    private ConfigKeys() {
    }

    static List<Key> of(Class<? extends Record> root) {
        List<Key> keys = new ArrayList<>();
        collect(root, new ArrayList<>(), keys);
        return keys;
    }

    private static void collect(Class<?> type, List<String> prefix, List<Key> into) {
        for (RecordComponent component : type.getRecordComponents()) {
            List<String> path = new ArrayList<>(prefix);
            path.add(component.getName());
            if (component.getType().isRecord()) {
                collect(component.getType(), path, into);
            } else {
                into.add(new Key(List.copyOf(path), component.getType()));
            }
        }
    }
}
