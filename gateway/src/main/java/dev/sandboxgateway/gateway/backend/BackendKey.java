package dev.sandboxgateway.gateway.backend;

/** Where a pooled connection goes: the registry's backend host and the sandbox port. */
public record BackendKey(String host, int port) {
}
