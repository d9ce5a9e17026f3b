package dev.sandboxgateway.gateway.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

@Tag("unit")
class TraceParentTest {

    @Test
    void theTraceIdOfAW3cHeader() {
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736",
                TraceParent.traceId("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "garbage", "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01"})
    void noTraceIdFromAnythingElse(String header) {
        assertNull(TraceParent.traceId(header));
    }
}
