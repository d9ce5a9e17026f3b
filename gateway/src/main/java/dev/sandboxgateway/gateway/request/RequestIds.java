package dev.sandboxgateway.gateway.request;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.security.SecureRandom;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The {@code X-Request-Id} of a request: a trusted proxy's (it already logged it), else one made
 * here. A made id is 32 hex digits: 64 bits drawn once per process from {@link SecureRandom}, so
 * gateways of a cluster never share a prefix, then 64 bits from the event loop's
 * {@link ThreadLocalRandom}, whose sequence does not repeat within a thread. No coordination, no
 * lock, one small string per request.
 */
public final class RequestIds {

    public static final AsciiString HEADER = AsciiString.cached("x-request-id");
    /** Longest id taken from a trusted proxy; a longer one is replaced, as is one with unprintable characters. */
    static final int MAX_TRUSTED_LENGTH = 128;

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final long PROCESS = new SecureRandom().nextLong();

    private RequestIds() {
    }

    /**
     * The id for a request with {@code headers}, from a peer that is or is not a trusted proxy. A
     * client's own value from anyone else is never used: it could collide with, or impersonate,
     * another request's in the logs.
     */
    public static String of(HttpHeaders headers, boolean trustedPeer) {
        if (trustedPeer) {
            String given = headers.get(HEADER);
            if (usable(given)) {
                return given;
            }
        }
        return generate();
    }

    static String generate() {
        char[] id = new char[32];
        write(id, 0, PROCESS);
        write(id, 16, ThreadLocalRandom.current().nextLong());
        return new String(id);
    }

    private static void write(char[] into, int offset, long value) {
        for (int i = 15; i >= 0; i--) {
            into[offset + i] = HEX[(int) (value & 0xf)];
            value >>>= 4;
        }
    }

    private static boolean usable(@Nullable String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_TRUSTED_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
