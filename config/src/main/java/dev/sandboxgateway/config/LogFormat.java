package dev.sandboxgateway.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How the application log is written: lines for people, or one JSON object per line for a log pipeline. */
public enum LogFormat {
    TEXT,
    JSON;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static LogFormat fromWireName(String name) {
        return Enums.byWireName(LogFormat.class, name, LogFormat::wireName);
    }
}
