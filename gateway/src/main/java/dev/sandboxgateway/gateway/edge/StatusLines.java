package dev.sandboxgateway.gateway.edge;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Whole response status lines ({@code HTTP/1.1 200 OK\r\n}), encoded once per standard status.
 *
 * <p>Netty's encoder writes the status as its own few bytes ({@code 200 OK}), and on a direct
 * buffer a copy of six bytes or fewer goes byte by byte through {@code ByteBuffer}'s checked
 * puts: a profile of keep-alive proxying put about 2% of the event loop's time there. One copy
 * of the whole line takes the bulk path.
 */
final class StatusLines {

    private static final int FIRST_CODE = 100;
    private static final int LAST_CODE = 599;

    /** Netty's constant for each code, or null where it has none; indexed by code - FIRST_CODE. */
    private static final HttpResponseStatus[] STANDARD = standardStatuses();
    private static final byte[][] HTTP_1_1 = lines(HttpVersion.HTTP_1_1);
    private static final byte[][] HTTP_1_0 = lines(HttpVersion.HTTP_1_0);

    private StatusLines() {
    }

    /**
     * The encoded line, CRLF included, or null when {@code status} is not Netty's constant for
     * its code (a reason phrase of the sandbox's own) or the version is neither 1.1 nor 1.0.
     */
    @SuppressWarnings("ReferenceEquality") // identity tells Netty's constant from a sandbox's own reason phrase
    static byte @Nullable [] of(HttpVersion version, HttpResponseStatus status) {
        int index = status.code() - FIRST_CODE;
        if (index < 0 || index >= STANDARD.length || STANDARD[index] != status) {
            return null;
        }
        if (version == HttpVersion.HTTP_1_1) {
            return HTTP_1_1[index];
        }
        return version == HttpVersion.HTTP_1_0 ? HTTP_1_0[index] : null;
    }

    @SuppressWarnings("ReferenceEquality")
    private static HttpResponseStatus[] standardStatuses() {
        HttpResponseStatus[] standard = new HttpResponseStatus[LAST_CODE - FIRST_CODE + 1];
        for (int code = FIRST_CODE; code <= LAST_CODE; code++) {
            HttpResponseStatus status = HttpResponseStatus.valueOf(code);
            // valueOf returns the same constant for a code Netty knows, a new instance otherwise.
            if (status == HttpResponseStatus.valueOf(code)) {
                standard[code - FIRST_CODE] = status;
            }
        }
        return standard;
    }

    private static byte[][] lines(HttpVersion version) {
        byte[][] lines = new byte[STANDARD.length][];
        for (int i = 0; i < STANDARD.length; i++) {
            if (STANDARD[i] != null) {
                lines[i] = (version.text() + ' ' + STANDARD[i].code() + ' ' + STANDARD[i].reasonPhrase() + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
            }
        }
        return lines;
    }
}
