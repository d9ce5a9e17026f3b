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
     * One request as logged.
     *
     * @param client        the client address (behind trusted proxies)
     * @param host          the Host (or :authority) asked for
     * @param protocol      {@code h1}, {@code h2}, {@code grpc}, or {@code ws} for a WebSocket upgrade
     * @param upstream      {@code backendHost:port} the request was sent to, or {@code null} when none was
     * @param connectNanos  backend connect time, 0 for a pooled connection, -1 when no backend was used
     * @param error         the gateway error code, or {@code null}
     * @param traceId       the W3C trace id of the request's {@code traceparent}, or {@code null}
     */
    public record Entry(String client, String method, @Nullable String host, String uri, String protocol,
                        @Nullable String sandboxId, int port, @Nullable String upstream, int status, long bytesIn,
                        long bytesOut, long durationNanos, long connectNanos, @Nullable String error,
                        String requestId, @Nullable String traceId, @Nullable String userAgent) {
    }

    public void log(Entry entry) {
        StringBuilder line = new StringBuilder(384).append("{\"time\":\"").append(Instant.now())
                .append("\",\"requestId\":");
        appendString(line, entry.requestId());
        line.append(",\"client\":");
        appendString(line, entry.client());
        line.append(",\"method\":");
        appendString(line, entry.method());
        line.append(",\"host\":");
        appendString(line, entry.host());
        line.append(",\"path\":");
        int query = entry.uri().indexOf('?');
        appendString(line, query < 0 ? entry.uri() : entry.uri().substring(0, query));
        line.append(",\"protocol\":\"").append(entry.protocol())
                .append("\",\"sandboxId\":");
        appendString(line, entry.sandboxId());
        line.append(",\"port\":").append(entry.port())
                .append(",\"upstream\":");
        appendString(line, entry.upstream());
        line.append(",\"status\":").append(entry.status())
                .append(",\"bytesIn\":").append(entry.bytesIn())
                .append(",\"bytesOut\":").append(entry.bytesOut())
                .append(",\"durationMs\":").append(millis(entry.durationNanos()))
                .append(",\"connectMs\":").append(entry.connectNanos() < 0 ? "null" : millis(entry.connectNanos()))
                .append(",\"error\":");
        appendString(line, entry.error());
        line.append(",\"traceId\":");
        appendString(line, entry.traceId());
        line.append(",\"userAgent\":");
        appendString(line, entry.userAgent());
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
