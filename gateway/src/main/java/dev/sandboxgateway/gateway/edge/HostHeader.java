package dev.sandboxgateway.gateway.edge;

/** The Host header's name part, for the places that rebuild a URL or bind a cookie to it. */
final class HostHeader {

    private HostHeader() {
    }

    /** {@code host} without a trailing {@code :port}; an IPv6 literal's own colons, inside brackets, stay. */
    static String withoutPort(String host) {
        int colon = host.lastIndexOf(':');
        return colon >= 0 && host.indexOf(']') < colon ? host.substring(0, colon) : host;
    }
}
