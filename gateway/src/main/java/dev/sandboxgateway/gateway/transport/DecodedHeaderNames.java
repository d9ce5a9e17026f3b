package dev.sandboxgateway.gateway.transport;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeadersFactory;
import java.nio.charset.StandardCharsets;

/**
 * Header names checked once, where an HTTP/1.1 decoder splits them off the line, so that the
 * headers it fills do not check every name set on them later. Netty's headers check each name
 * character by character on every {@code add} and {@code set}, and the gateway sets a handful of
 * its own fixed names on every request and response (X-Forwarded-*, Connection, Transfer-Encoding):
 * checking those again was about 0.6% of a keep-alive request's CPU. Values are still checked by
 * the headers as before.
 *
 * <p>A decoder given a config from {@link #uncheckedHeaders} must call {@link #requireToken} for
 * every name it splits off, and nothing may add a name taken from input to its headers. The config
 * is made once, where its listener or pool is, and shared by every connection's decoder.
 */
public final class DecodedHeaderNames {

    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory()
            .withNameValidation(false);

    /** RFC 9110 section 5.6.2: tchar, the characters of a field name. */
    private static final boolean[] TOKEN = new boolean[256];

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
     * Refuses a field name that is empty or not a token, with the message Netty's headers give, so
     * the client's 400 reads the same.
     *
     * @throws IllegalArgumentException when {@code line[start, start + length)} is not a token
     */
    public static void requireToken(byte[] line, int start, int length) {
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
