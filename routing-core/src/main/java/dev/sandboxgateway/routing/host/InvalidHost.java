package dev.sandboxgateway.routing.host;

/** A host (or routing header) that names no sandbox; {@code reason} says which part is wrong, for the client. */
public record InvalidHost(String reason) implements ParsedHost {
}
