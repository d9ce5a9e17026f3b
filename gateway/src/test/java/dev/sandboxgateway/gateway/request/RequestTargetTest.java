package dev.sandboxgateway.gateway.request;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Request targets in origin and absolute form, and the host names read from them. */
@Tag("unit")
class RequestTargetTest {

    @Test
    void anOriginFormTargetKeepsTheHostHeader() {
        assertEquals(Optional.of(new RequestTarget("a.example:8080", "/x?y")), RequestTarget.read("a.example:8080", "/x?y"));
        assertEquals(Optional.of(new RequestTarget("", "/")), RequestTarget.read(null, "/"));
        assertEquals(Optional.of(new RequestTarget("a.example", "*")), RequestTarget.read("a.example", "*"));
    }

    @Test
    void anAbsoluteFormTargetBecomesOriginFormUnderItsAuthority() {
        String[][] table = {
                // target, Host header, host, origin form
                {"http://a.example/x?y", "a.example", "a.example", "/x?y"},
                {"HTTPS://a.example:8443/x", "A.EXAMPLE:8443", "a.example:8443", "/x"},
                {"http://a.example", null, "a.example", "/"},
                {"http://a.example?q=1", "a.example", "a.example", "/?q=1"},
        };
        for (String[] row : table) {
            assertEquals(Optional.of(new RequestTarget(row[2], row[3])), RequestTarget.read(row[1], row[0]), row[0]);
        }
    }

    @Test
    void anAbsoluteFormTargetForAnotherHostIsRefused() {
        assertEquals(Optional.empty(), RequestTarget.read("a.example", "http://b.example/"));
        assertEquals(Optional.empty(), RequestTarget.read("a.example", "http://a.example:8080/"));
    }

    @Test
    void theHostNameHasNoPortNoTrailingDotAndIsLowerCase() {
        String[][] table = {
                {"3000-Abc.Sandbox.Example.Dev:8443", "3000-Abc.Sandbox.Example.Dev", "3000-abc.sandbox.example.dev"},
                {"a.example.", "a.example.", "a.example"},
                {"a.example.:80", "a.example.", "a.example"},
                {"[::1]:8080", "[::1]", "[::1]"},
                {"[::1]", "[::1]", "[::1]"},
                {"", "", ""},
        };
        for (String[] row : table) {
            RequestTarget target = new RequestTarget(row[0], "/");
            assertEquals(row[1], target.hostWithoutPort(), row[0]);
            assertEquals(row[2], target.hostName(), row[0]);
        }
    }
}
