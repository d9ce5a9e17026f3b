package dev.sandboxgateway.routing.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("unit")
class SandboxRecordTest {

    private static final SandboxRecord RUNNING = SandboxRecord.running("abc", "10.0.0.5");

    @Test
    void allowedOriginsAreExactOrigins() {
        assertEquals(List.of("https://ide.example.com", "http://localhost:3000"),
                RUNNING.withAllowedOrigins(List.of("https://ide.example.com", "http://localhost:3000")).allowedOrigins());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ide.example.com", "https://ide.example.com/", "https://ide.example.com/path",
            "https://IDE.example.com", "https://", "https://ide.example.com?x"})
    void anythingElseIsRefusedNamingTheField(String origin) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> RUNNING.withAllowedOrigins(List.of(origin)));
        assertTrue(error.getMessage().startsWith("allowedOrigins: '" + origin + "'"), error.getMessage());
    }

    @Test
    void aPortStartupWaitIsBetweenZeroAndTenMinutes() {
        assertEquals(0L, RUNNING.withPortStartupWaitMillis(0L).portStartupWaitMillis());
        assertThrows(IllegalArgumentException.class, () -> RUNNING.withPortStartupWaitMillis(-1L));
        assertThrows(IllegalArgumentException.class,
                () -> RUNNING.withPortStartupWaitMillis(SandboxRecord.MAX_PORT_STARTUP_WAIT_MILLIS + 1));
    }

    @Test
    void aHostRewriteIsPerPortElseForEveryPort() {
        SandboxRecord record = RUNNING.withHostRewrite(Map.of("*", "localhost:${port}", "8888", "127.0.0.1"));
        assertEquals("localhost:5173", record.rewrittenHost(5173));
        assertEquals("127.0.0.1", record.rewrittenHost(8888));
        assertEquals(null, RUNNING.rewrittenHost(5173), "off unless the record sets it");
    }

    @ParameterizedTest
    @ValueSource(strings = {"local host", "localhost/x", "", "${host}"})
    void aHostRewriteIsAHostAndPort(String template) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> RUNNING.withHostRewrite(Map.of("*", template)));
        assertTrue(error.getMessage().startsWith("hostRewrite.*: "), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RUNNING.withHostRewrite(Map.of("http", "localhost")));
    }
}
