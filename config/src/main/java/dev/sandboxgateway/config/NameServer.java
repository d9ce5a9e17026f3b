package dev.sandboxgateway.config;

import dev.sandboxgateway.routing.registry.CidrBlock;

/**
 * A DNS server given by address, never by name (resolving the resolver would need a resolver):
 * {@code 10.0.0.2}, {@code 10.0.0.2:5353}, {@code ::1} or {@code [::1]:5353}; port 53 unless given.
 *
 * @param address the IP address literal, without brackets
 */
public record NameServer(String address, int port) {

    private static final int DNS_PORT = 53;

    public NameServer {
        CidrBlock.parseAddress(address);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, was " + port);
        }
    }

    /** Parses one entry of {@code backend.dnsServers}; the message names the entry when it is not an address. */
    public static NameServer parse(String text) {
        String address = text;
        int port = DNS_PORT;
        int lastColon = text.lastIndexOf(':');
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || (close + 1 < text.length() && text.charAt(close + 1) != ':')) {
                throw notANameServer(text);
            }
            address = text.substring(1, close);
            if (close + 1 < text.length()) {
                port = port(text.substring(close + 2), text);
            }
        } else if (lastColon >= 0 && text.indexOf(':') == lastColon) {
            address = text.substring(0, lastColon);
            port = port(text.substring(lastColon + 1), text);
        }
        try {
            return new NameServer(address, port);
        } catch (IllegalArgumentException e) {
            throw notANameServer(text);
        }
    }

    private static int port(String digits, String text) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw notANameServer(text);
        }
    }

    private static IllegalArgumentException notANameServer(String text) {
        return new IllegalArgumentException("'" + text + "' is not an IP address with an optional port"
                + " (10.0.0.2, 10.0.0.2:5353, [::1]:5353)");
    }
}
