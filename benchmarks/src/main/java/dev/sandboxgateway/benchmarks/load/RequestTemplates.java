package dev.sandboxgateway.benchmarks.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Every request a run sends, encoded once: one head per Host value and one shared body, written
 * as retained duplicates so sending costs the client almost nothing beyond the syscall.
 */
final class RequestTemplates {

    private final ByteBuf[] heads;
    private final ByteBuf body;

    RequestTemplates(LoadOptions options) {
        List<String> hosts = options.hosts();
        heads = new ByteBuf[hosts.size()];
        boolean post = options.method().equals("POST");
        for (int i = 0; i < heads.length; i++) {
            StringBuilder head = new StringBuilder()
                    .append(options.method()).append(' ').append(options.path()).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(hosts.get(i)).append("\r\n");
            if (options.mode() == LoadOptions.Mode.CLOSE) {
                head.append("Connection: close\r\n");
            }
            if (post) {
                head.append("Content-Length: ").append(options.bodySize()).append("\r\n")
                        .append("Content-Type: application/octet-stream\r\n");
            }
            head.append("\r\n");
            heads[i] = Unpooled.unreleasableBuffer(Unpooled.directBuffer(head.length())
                    .writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII)));
        }
        body = post && options.bodySize() > 0
                ? Unpooled.unreleasableBuffer(Unpooled.directBuffer(options.bodySize()).writeZero(options.bodySize()))
                : null;
    }

    int hostCount() {
        return heads.length;
    }

    ByteBuf head(int host) {
        return heads[host].duplicate();
    }

    /** The request body, or {@code null} for bodiless requests. */
    ByteBuf body() {
        return body == null ? null : body.duplicate();
    }

    /** Frees the encoded requests once the run's connections are closed (a process may run twice, see --prime). */
    void release() {
        for (ByteBuf head : heads) {
            head.unwrap().release();
        }
        if (body != null) {
            body.unwrap().release();
        }
    }

    long size(int host) {
        return heads[host].readableBytes() + (body == null ? 0 : body.readableBytes());
    }
}
