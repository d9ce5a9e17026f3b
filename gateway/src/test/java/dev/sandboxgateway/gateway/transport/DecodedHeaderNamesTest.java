package dev.sandboxgateway.gateway.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.handler.codec.DefaultHeaders.NameValidator;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The decoders' name check must refuse exactly what Netty's headers refuse, in the same words, and a
 * shared name must be exactly the bytes that came in.
 */
@Tag("unit")
class DecodedHeaderNamesTest {

    private static final NameValidator<CharSequence> NETTY = DefaultHttpHeadersFactory.headersFactory()
            .getNameValidator();

    @Test
    void everyByteIsJudgedAsNettyJudgesIt() {
        for (int b = 0; b < 256; b++) {
            byte[] line = {'x', (byte) b, 'y', ':'};
            String netty = refusal(() -> NETTY.validateName(new AsciiString(line, 0, 3, true)));
            String ours = refusal(() -> DecodedHeaderNames.requireToken(line, 0, 3));
            assertEquals(netty, ours, "byte 0x" + Integer.toHexString(b));
        }
    }

    @Test
    void theNameIsReadWhereTheDecoderSplitIt() {
        byte[] line = "GET / HTTP/1.1 X-Note :a".getBytes(StandardCharsets.ISO_8859_1);
        DecodedHeaderNames.requireToken(line, 15, 6);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> DecodedHeaderNames.requireToken(line, 15, 7));
        assertEquals(refusal(() -> NETTY.validateName(new AsciiString("X-Note "))), refused.getMessage());
    }

    @Test
    void anEmptyNameIsRefused() {
        byte[] line = ": a".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(refusal(() -> NETTY.validateName(AsciiString.EMPTY_STRING)),
                refusal(() -> DecodedHeaderNames.requireToken(line, 0, 0)));
    }

    @Test
    void aCommonNameIsSharedInTheSpellingItCameIn() {
        byte[] line = "HTTP/1.1 200 OK Content-Type content-type ETag etag".getBytes(StandardCharsets.ISO_8859_1);

        AsciiString first = DecodedHeaderNames.split(line, 16, 12);
        assertSame(first, DecodedHeaderNames.split(line.clone(), 16, 12));
        assertEquals("Content-Type", first.toString());
        assertEquals("content-type", DecodedHeaderNames.split(line, 29, 12).toString());
        assertEquals("ETag", DecodedHeaderNames.split(line, 42, 4).toString());
        assertEquals("etag", DecodedHeaderNames.split(line, 47, 4).toString());
    }

    @Test
    void anyOtherNameIsCopiedAsItCame() {
        byte[] line = "Content-Typo X-Sandbox-Note".getBytes(StandardCharsets.ISO_8859_1);

        AsciiString typo = DecodedHeaderNames.split(line, 0, 12);
        assertEquals("Content-Typo", typo.toString());
        assertNotSame(typo, DecodedHeaderNames.split(line, 0, 12));
        assertEquals("X-Sandbox-Note", DecodedHeaderNames.split(line, 13, 14).toString());
        line[0] = 'Z';
        assertEquals("Content-Typo", typo.toString(), "a copy, not a view of the decoder's line");
    }

    @Test
    void splittingChecksTheName() {
        byte[] line = "Date :x".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(refusal(() -> NETTY.validateName(new AsciiString("Date "))),
                refusal(() -> DecodedHeaderNames.split(line, 0, 5)));
        assertEquals(refusal(() -> NETTY.validateName(AsciiString.EMPTY_STRING)),
                refusal(() -> DecodedHeaderNames.split(line, 0, 0)));
    }

    @Test
    void decodersGetHeadersThatLeaveNamesToThem() {
        HttpDecoderConfig given = new HttpDecoderConfig().setMaxHeaderSize(1234);
        HttpDecoderConfig unchecked = DecodedHeaderNames.uncheckedHeaders(given);

        unchecked.getHeadersFactory().newHeaders().set("X Note", "set by the gateway, never from input");
        assertEquals(1234, unchecked.getMaxHeaderSize());
        assertThrows(IllegalArgumentException.class, () -> given.getHeadersFactory().newHeaders().set("X Note", "a"));
    }

    /** The message of what {@code check} throws, or {@code null} when it accepts. */
    private static String refusal(Runnable check) {
        try {
            check.run();
            return null;
        } catch (IllegalArgumentException refused) {
            return refused.getMessage();
        }
    }
}
