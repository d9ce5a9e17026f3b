package dev.sandboxgateway.gateway.admin;

import java.util.List;

/**
 * What a configuration reload did, for the admin API's answer and the log.
 *
 * @param result  whether it was applied, and if not why
 * @param changed the keys whose values changed (applied, or refused as a whole)
 * @param message one line for the operator, naming the keys or the invalid settings
 */
public record ReloadOutcome(Result result, List<String> changed, String message) {

    public enum Result {
        /** The live settings took effect for new requests; connections stayed open. */
        APPLIED,
        /** A setting that needs a restart changed: nothing was applied. */
        RESTART_REQUIRED,
        /** The file does not load or validate: nothing was applied. */
        INVALID,
        /** The gateway is shutting down. */
        SHUTTING_DOWN
    }

    public ReloadOutcome {
        changed = List.copyOf(changed);
    }

    /** Asks the running gateway to read its configuration again. */
    @FunctionalInterface
    public interface Reloader {
        ReloadOutcome reload();
    }
}
