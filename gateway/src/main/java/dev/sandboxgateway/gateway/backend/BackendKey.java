package dev.sandboxgateway.gateway.backend;

/** Where a pooled connection goes: the registry's backend host and the sandbox port. */
public record BackendKey(String host, int port) {

    /** {@code host:port}, an IPv6 address in brackets, as logs and URLs write it. */
    public String authority() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
