package dev.sandboxgateway.gateway.request;

import java.net.InetSocketAddress;

/**
 * A client's address as text (for headers and logs) and as bytes (for address blocks).
 *
 * @param text  the address as written in X-Forwarded-For
 * @param bytes 4 or 16 bytes
 */
@SuppressWarnings("ArrayRecordComponent") // carried along a request, never compared or hashed
public record ClientAddress(String text, byte[] bytes) {

    public static ClientAddress of(InetSocketAddress address) {
        return new ClientAddress(address.getAddress().getHostAddress(), address.getAddress().getAddress());
    }
}
