package dev.sandboxgateway.gateway.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("unit")
class RequestIdsTest {

    private static HttpHeaders withId(String id) {
        return new DefaultHttpHeaders().set("X-Request-Id", id);
    }

    @Test
    void madeIdsAre32HexDigitsSharingTheProcessPrefixAndNeverRepeating() {
        Set<String> seen = new HashSet<>();
        String prefix = RequestIds.generate().substring(0, 16);
        for (int i = 0; i < 100_000; i++) {
            String id = RequestIds.of(new DefaultHttpHeaders(), false);
            assertTrue(id.matches("[0-9a-f]{32}"), id);
            assertTrue(id.startsWith(prefix), id);
            assertTrue(seen.add(id), "repeated " + id);
        }
    }

    @Test
    void aTrustedProxysIdIsKept() {
        assertEquals("edge-7f3a", RequestIds.of(withId("edge-7f3a"), true));
    }

    @Test
    void anUntrustedClientsIdIsReplaced() {
        String id = RequestIds.of(withId("edge-7f3a"), false);
        assertNotEquals("edge-7f3a", id);
        assertTrue(id.matches("[0-9a-f]{32}"), id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "tab\there", "é-accent"})
    void aTrustedProxysUnusableIdIsReplaced(String given) {
        assertTrue(RequestIds.of(withId(given), true).matches("[0-9a-f]{32}"));
    }

    @Test
    void aTrustedProxysOverlongIdIsReplaced() {
        assertEquals("a".repeat(RequestIds.MAX_TRUSTED_LENGTH),
                RequestIds.of(withId("a".repeat(RequestIds.MAX_TRUSTED_LENGTH)), true));
        assertTrue(RequestIds.of(withId("a".repeat(RequestIds.MAX_TRUSTED_LENGTH + 1)), true).matches("[0-9a-f]{32}"));
    }
}
