package dev.sandboxgateway.gateway.transport;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Header names checked once, where an HTTP/1.1 decoder splits them off the line, so that the
 * headers it fills do not check every name set on them later. Netty's headers check each name
 * character by character on every {@code add} and {@code set}, and the gateway sets a handful of
 * its own fixed names on every request and response (X-Forwarded-*, Connection, Transfer-Encoding):
 * checking those again was about 0.6% of a keep-alive request's CPU. Values are still checked by
 * the headers as before.
 *
 * <p>The names every sandbox sends (Date, Server, Content-Type, ...) are shared constants instead of
 * a new {@link AsciiString} and byte array per header: Netty copies every name it splits off, and
 * those copies were a sixth of the bytes a keep-alive request allocated (a young collection in a
 * 16 MiB young generation every 80 ms at 55,000 requests a second). A name is shared only when its
 * bytes match exactly, so a sandbox's spelling ({@code etag}, {@code ETag}) travels unchanged.
 *
 * <p>A decoder given a config from {@link #uncheckedHeaders} must take every name it splits off from
 * {@link #split}, and nothing may add a name taken from input to its headers. The config is made
 * once, where its listener or pool is, and shared by every connection's decoder.
 */
public final class DecodedHeaderNames {

    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory()
            .withNameValidation(false);

    /** RFC 9110 section 5.6.2: tchar, the characters of a field name. */
    private static final boolean[] TOKEN = new boolean[256];

    /** Names sent on most requests and responses, as servers and clients spell them, by length. */
    private static final AsciiString[][] COMMON = byLength(
            "Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Connection", "Keep-Alive",
            "Content-Type", "Content-Length", "Content-Encoding", "Transfer-Encoding", "Date", "Server",
            "Last-Modified", "ETag", "Accept-Ranges", "Cache-Control", "Vary", "Expires", "Location",
            "Set-Cookie", "Cookie", "Origin", "Referer", "Upgrade", "X-Powered-By", "Access-Control-Allow-Origin",
            "Etag", "X-Request-Id", "traceparent");

    static {
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[Character.toUpperCase(c)] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private DecodedHeaderNames() {
    }

    /** {@code config} with headers that do not check names: for a decoder that calls {@link #requireToken}. */
    public static HttpDecoderConfig uncheckedHeaders(HttpDecoderConfig config) {
        return config.clone().setHeadersFactory(HEADERS);
    }

    /**
     * The field name at {@code line[start, start + length)}, checked: a shared constant when it is one
     * of the common names spelled the same, else a copy.
     *
     * @throws IllegalArgumentException when the name is empty or not a token, as {@link #requireToken}
     */
    public static AsciiString split(byte[] line, int start, int length) {
        if (length < COMMON.length) {
            for (AsciiString common : COMMON[length]) {
                if (sameBytes(common, line, start)) {
                    return common;
                }
            }
        }
        requireToken(line, start, length);
        return new AsciiString(line, start, length, true);
    }

    private static boolean sameBytes(AsciiString name, byte[] line, int start) {
        byte[] bytes = name.array();
        int offset = name.arrayOffset();
        for (int i = 0, length = name.length(); i < length; i++) {
            if (bytes[offset + i] != line[start + i]) {
                return false;
            }
        }
        return true;
    }

    /** Each name and its lower-case spelling (HTTP/2 and many Node servers), indexed by length. */
    private static AsciiString[][] byLength(String... names) {
        int longest = Arrays.stream(names).mapToInt(String::length).max().orElse(0);
        AsciiString[][] table = new AsciiString[longest + 1][];
        for (int length = 0; length <= longest; length++) {
            int sameLength = length;
            table[length] = Arrays.stream(names).filter(name -> name.length() == sameLength)
                    .flatMap(name -> Stream.of(name, name.toLowerCase(Locale.ROOT))).distinct()
                    .map(AsciiString::cached).toArray(AsciiString[]::new);
        }
        return table;
    }

    /**
     * Refuses a field name that is empty or not a token, with the message Netty's headers give, so
     * the client's 400 reads the same.
     *
     * @throws IllegalArgumentException when {@code line[start, start + length)} is not a token
     */
    static void requireToken(byte[] line, int start, int length) {
        if (length == 0) {
            throw new IllegalArgumentException("empty headers are not allowed []");
        }
        for (int i = start, end = start + length; i < end; i++) {
            if (!TOKEN[line[i] & 0xFF]) {
                throw new IllegalArgumentException("a header name can only contain \"token\" characters, "
                        + "but found invalid character 0x" + Integer.toHexString(line[i] & 0xFF) + " at index "
                        + (i - start) + " of header '"
                        + new String(line, start, length, StandardCharsets.ISO_8859_1) + "'.");
            }
        }
    }
}
