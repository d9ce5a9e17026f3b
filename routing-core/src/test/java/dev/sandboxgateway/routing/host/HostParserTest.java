package dev.sandboxgateway.routing.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Tag("unit")
class HostParserTest {

    private final HostParser parser = new HostParser(new HostRules(
            List.of("sandbox.example.dev", "localhost", "eu.sandbox.example.dev"),
            Set.of("sandbox.example.dev", "localhost", "gateway.internal"),
            new LengthRange(3, 24), new LengthRange(4, 8)));

    @Test
    void parsesPortIdAndSuffix() {
        assertEquals(new SandboxTarget(3000, "i62mff4ahtrdfdkyn2esc", "b0b684e9"),
                parser.parse("3000-i62mff4ahtrdfdkyn2esc-b0b684e9.sandbox.example.dev"));
    }

    @Test
    void suffixIsOptional() {
        assertEquals(new SandboxTarget(8000, "abc123", null), parser.parse("8000-abc123.localhost"));
    }

    @Test
    void hostPortIsIgnoredForRouting() {
        assertEquals(new SandboxTarget(8000, "abc123", null), parser.parse("8000-abc123.localhost:8080"));
    }

    @Test
    void caseInsensitiveAndTrailingDotAccepted() {
        assertEquals(new SandboxTarget(3000, "abcdef", "b0b6"),
                parser.parse("3000-ABCdef-B0B6.Sandbox.Example.DEV.:443"));
    }

    @Test
    void longestBaseDomainWins() {
        assertEquals(new SandboxTarget(1, "abc", null), parser.parse("1-abc.eu.sandbox.example.dev"));
    }

    @Test
    void portBoundsAccepted() {
        assertEquals(65535, ((SandboxTarget) parser.parse("65535-abc.localhost")).port());
        assertEquals(1, ((SandboxTarget) parser.parse("1-abc.localhost")).port());
    }

    @Test
    void sharedHostsAreRecognised() {
        assertSame(SharedHost.INSTANCE, parser.parse("localhost:8080"));
        assertSame(SharedHost.INSTANCE, parser.parse("Sandbox.Example.dev"));
        assertSame(SharedHost.INSTANCE, parser.parse("gateway.internal."));
    }

    @ParameterizedTest(name = "[{index}] host={0}")
    @CsvSource(delimiter = '|', value = {
            "''                                         | no Host header",
            "[::1]:8080                                 | IP address literal",
            "3000-abc.localhost:                        | port after ':'",
            "3000-abc.localhost:0                       | port after ':'",
            "3000-abc.localhost:99999                   | port after ':'",
            "3000-abc.localhost:80a                     | port after ':'",
            ".                                          | empty name",
            "3000-abc_d.localhost                       | character '_'",
            "3000-abc d.localhost                       | character '\\u0020'",
            "3000-abc.example.com                       | not under a configured base domain",
            "3000-abc.x.localhost                       | more than one label",
            "3000.localhost                             | does not name a sandbox port",
            "-abc.localhost                             | the port is missing",
            "30a0-abc.localhost                         | port '30a0' is not a decimal number",
            "+300-abc.localhost                         | character '+'",
            "03000-abc.localhost                        | port '03000' must not start with 0",
            "0-abc.localhost                            | port '0' must not start with 0",
            "65536-abc.localhost                        | port 65536 is out of range",
            "100000-abc.localhost                       | port 100000 is out of range",
            "3000--abcd.localhost                       | sandbox id '' is 0 characters long",
            "3000-ab.localhost                          | sandbox id 'ab' is 2 characters long; allowed length is 3-24",
            "3000-abcdefghijklmnopqrstuvwxy.localhost   | sandbox id 'abcdefghijklmnopqrstuvwxy' is 25 characters long",
            "3000-abc-.localhost                        | suffix '' is 0 characters long",
            "3000-abc-xyz.localhost                     | suffix 'xyz' is 3 characters long; allowed length is 4-8",
            "3000-abc-abcdefghi.localhost               | suffix 'abcdefghi' is 9 characters long",
            "3000-abc-abcd-efgh.localhost               | more than three '-'-separated parts",
            "3000-10.0.0.1-abcd.localhost               | more than one label",
            "localhost.localhost                        | does not name a sandbox port",
    })
    void rejectsWithMessageNamingThePart(String host, String expected) {
        InvalidHost invalid = assertInstanceOf(InvalidHost.class, parser.parse(host));
        assertTrue(invalid.reason().contains(expected), () -> "'" + invalid.reason() + "' should contain '" + expected + "'");
    }

    @Test
    void nullHostIsRejected() {
        assertInstanceOf(InvalidHost.class, parser.parse(null));
    }

    @Test
    void routingHeadersSelectTheTarget() {
        assertEquals(new SandboxTarget(3000, "abcdef", null), parser.parseHeaders("ABCdef", "3000"));
    }

    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            "null     | 3000  | X-Sandbox-Id header",
            "abc      | null  | X-Sandbox-Port header",
            "ab       | 3000  | X-Sandbox-Id: sandbox id 'ab' is 2 characters long",
            "ab.c     | 3000  | X-Sandbox-Id: sandbox id 'ab.c' may contain only a-z and 0-9",
            "abc      | 03000 | X-Sandbox-Port: port '03000' must not start with 0",
            "abc      | -1    | X-Sandbox-Port: port '-1' is not a decimal number",
            "abc      | 70000 | X-Sandbox-Port: port 70000 is out of range",
    })
    void rejectsBadRoutingHeaders(String id, String port, String expected) {
        InvalidHost invalid = assertInstanceOf(InvalidHost.class, parser.parseHeaders(id, port));
        assertTrue(invalid.reason().contains(expected), () -> "'" + invalid.reason() + "' should contain '" + expected + "'");
    }

    @Test
    void defaultSharedHostsAreTheBaseDomainsAndLocalhost() {
        assertEquals(Set.of("sandbox.example.dev", "localhost"),
                HostRules.defaultSharedHosts(List.of("Sandbox.Example.dev.")));
    }
}
