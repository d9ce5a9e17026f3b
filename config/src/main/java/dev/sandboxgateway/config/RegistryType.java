package dev.sandboxgateway.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where sandbox records come from. */
public enum RegistryType {
    /** A YAML or JSON file, watched for edits. */
    FILE,
    /** Held in the gateway, written through the admin API, lost on restart. */
    MEMORY,
    /** Shared by every gateway through Redis, with change events over pub/sub. */
    REDIS,
    /** Looked up one by one in the platform's own control plane over HTTP. */
    HTTP;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static RegistryType fromWireName(String name) {
        return Enums.byWireName(RegistryType.class, name, RegistryType::wireName);
    }
}
