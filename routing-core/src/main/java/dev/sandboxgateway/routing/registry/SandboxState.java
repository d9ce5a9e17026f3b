package dev.sandboxgateway.routing.registry;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Lifecycle state of a sandbox; only {@link #RUNNING} sandboxes receive traffic. */
public enum SandboxState {
    RUNNING, PAUSED, STARTING, STOPPED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static SandboxState fromWireName(String name) {
        for (SandboxState state : values()) {
            if (state.wireName().equalsIgnoreCase(name)) {
                return state;
            }
        }
        throw new IllegalArgumentException("state: '" + name + "' is not one of "
                + Arrays.stream(values()).map(SandboxState::wireName).collect(Collectors.joining(", ")));
    }
}
