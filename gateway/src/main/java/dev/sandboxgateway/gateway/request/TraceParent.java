package dev.sandboxgateway.gateway.request;

import org.jspecify.annotations.Nullable;

/**
 * The trace id of a W3C {@code traceparent} header ({@code 00-<32 hex trace id>-<16 hex parent
 * id>-<2 hex flags>}), for the access log. The header itself passes to the sandbox untouched; the
 * gateway starts no span of its own.
 */
public final class TraceParent {

    public static final String HEADER = "traceparent";
    private static final String INVALID_TRACE_ID = "00000000000000000000000000000000";

    private TraceParent() {
    }

    /** The trace id, or {@code null} when the header is absent or not of the version-00 shape. */
    public static @Nullable String traceId(@Nullable String traceparent) {
        if (traceparent == null || traceparent.length() < 55 || traceparent.charAt(2) != '-'
                || traceparent.charAt(35) != '-' || traceparent.charAt(52) != '-') {
            return null;
        }
        String traceId = traceparent.substring(3, 35);
        for (int i = 0; i < traceId.length(); i++) {
            char c = traceId.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return null;
            }
        }
        return traceId.equals(INVALID_TRACE_ID) ? null : traceId;
    }
}
