package dev.sandboxgateway.routing.host;

/** A host shared by all sandboxes: the target comes from the {@code X-Sandbox-Id} and {@code X-Sandbox-Port} headers. */
public enum SharedHost implements ParsedHost {
    INSTANCE
}
