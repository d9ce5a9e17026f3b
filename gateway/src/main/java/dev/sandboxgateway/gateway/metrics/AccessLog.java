package dev.sandboxgateway.gateway.metrics;

import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per request on the {@code access} logger. The path is logged without its query
 * string, which often carries tokens.
 */
public final class AccessLog {

    private static final Logger log = LoggerFactory.getLogger("access");

    private final boolean enabled;

    public AccessLog(boolean enabled) {
        this.enabled = enabled && log.isInfoEnabled();
    }

    public boolean enabled() {
        return enabled;
    }

    /**
     * @param connectNanos backend connect time, 0 for a pooled connection, -1 when no backend was used
     * @param error        the gateway error code, or {@code null}
     */
    public void log(String client, String method, String uri, @Nullable String sandboxId, int port, int status,
                    long bytesIn, long bytesOut, long durationNanos, long connectNanos, @Nullable String error) {
        StringBuilder line = new StringBuilder(256).append("{\"time\":\"").append(Instant.now())
                .append("\",\"client\":\"").append(client)
                .append("\",\"method\":\"").append(method)
                .append("\",\"path\":");
        int query = uri.indexOf('?');
        appendString(line, query < 0 ? uri : uri.substring(0, query));
        line.append(",\"sandboxId\":");
        appendString(line, sandboxId);
        line.append(",\"port\":").append(port)
                .append(",\"status\":").append(status)
                .append(",\"bytesIn\":").append(bytesIn)
                .append(",\"bytesOut\":").append(bytesOut)
                .append(",\"durationMs\":").append(millis(durationNanos))
                .append(",\"connectMs\":").append(connectNanos < 0 ? "null" : millis(connectNanos))
                .append(",\"error\":");
        appendString(line, error);
        log.info(line.append('}').toString());
    }

    private static String millis(long nanos) {
        return Double.toString(Math.round(nanos / 1_000.0) / 1_000.0);
    }

    private static void appendString(StringBuilder line, @Nullable String value) {
        if (value == null) {
            line.append("null");
            return;
        }
        line.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                line.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                line.append(String.format("\\u%04x", (int) c));
            } else {
                line.append(c);
            }
        }
        line.append('"');
    }
}
