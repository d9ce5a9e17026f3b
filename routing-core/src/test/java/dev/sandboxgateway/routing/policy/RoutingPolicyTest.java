package dev.sandboxgateway.routing.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.routing.host.SandboxTarget;
import dev.sandboxgateway.routing.registry.CidrBlock;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.registry.SandboxState;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class RoutingPolicyTest {

    private static final byte[] CLIENT = {(byte) 203, 0, 113, 7};
    private static final SandboxRecord RECORD = SandboxRecord.running("abc", "10.0.0.5").withSuffix("s1s1")
            .withAllowedPorts(Set.of(3000, 8080));
    private static final SandboxTarget TARGET = new SandboxTarget(3000, "abc", null);
    private static final String HOST = "3000-abc.sandbox.example.dev";

    private final RoutingPolicy open = RoutingPolicy.openPorts();

    private Optional<GatewayError> check(SandboxTarget target, SandboxRecord record) {
        return open.rejection(target, Optional.ofNullable(record), CLIENT, Credentials.NONE);
    }

    private Optional<GatewayError> withCredentials(SandboxRecord record, Credentials credentials) {
        return open.rejection(TARGET, Optional.of(record), CLIENT, credentials);
    }

    @Test
    void runningSandboxOnAllowedPortIsRouted() {
        assertEquals(Optional.empty(), check(new SandboxTarget(3000, "abc", "s1s1"), RECORD));
        assertEquals(Optional.empty(), check(new SandboxTarget(8080, "abc", null), RECORD));
    }

    @Test
    void unknownSandboxIsNotFound() {
        assertEquals(Optional.of(GatewayError.SANDBOX_NOT_FOUND), check(TARGET, null));
    }

    @Test
    void differentSuffixIsNotFound() {
        assertEquals(Optional.of(GatewayError.SANDBOX_NOT_FOUND), check(new SandboxTarget(3000, "abc", "zzzz"), RECORD));
    }

    @Test
    void suffixInHostIsAcceptedWhenRecordHasNone() {
        SandboxRecord noSuffix = SandboxRecord.running("abc", "10.0.0.5");
        assertEquals(Optional.empty(), check(new SandboxTarget(3000, "abc", "anything"), noSuffix));
    }

    @Test
    void eachNonRunningStateHasItsOwnError() {
        assertEquals(Optional.of(GatewayError.SANDBOX_PAUSED), check(TARGET, RECORD.withState(SandboxState.PAUSED)));
        assertEquals(Optional.of(GatewayError.SANDBOX_STARTING), check(TARGET, RECORD.withState(SandboxState.STARTING)));
        assertEquals(Optional.of(GatewayError.SANDBOX_STOPPED), check(TARGET, RECORD.withState(SandboxState.STOPPED)));
    }

    @Test
    void portOutsideAllowListIsForbidden() {
        assertEquals(Optional.of(GatewayError.PORT_NOT_ALLOWED), check(new SandboxTarget(22, "abc", null), RECORD));
    }

    @Test
    void emptyAllowListAllowsEveryPort() {
        assertEquals(Optional.empty(), check(new SandboxTarget(22, "abc", null), SandboxRecord.running("abc", "h")));
    }

    @Test
    void gatewayWidePortRulesOverrideRecords() {
        RoutingPolicy policy = new RoutingPolicy(PortRanges.parse(List.of("1024-65535", "80")),
                PortRanges.parse(List.of("6379", "9000-9099")));
        assertTrue(policy.portAllowed(80));
        assertTrue(policy.portAllowed(3000));
        assertFalse(policy.portAllowed(22));
        assertFalse(policy.portAllowed(6379));
        assertFalse(policy.portAllowed(9050));
        SandboxRecord everyPort = SandboxRecord.running("abc", "h");
        assertEquals(Optional.of(GatewayError.PORT_NOT_ALLOWED),
                policy.rejection(new SandboxTarget(6379, "abc", null), Optional.of(everyPort), CLIENT, Credentials.NONE));
        assertEquals(Optional.empty(),
                policy.rejection(new SandboxTarget(3000, "abc", null), Optional.of(everyPort), CLIENT, Credentials.NONE));
    }

    @Test
    void clientOutsideAllowedBlocksIsRefusedBeforeAnythingElseIsRevealed() {
        SandboxRecord fenced = RECORD.withAllowedClients(List.of(CidrBlock.parse("10.0.0.0/8"),
                CidrBlock.parse("2001:db8::/32")));
        assertEquals(Optional.of(GatewayError.CLIENT_NOT_ALLOWED), check(TARGET, fenced));
        assertEquals(Optional.of(GatewayError.CLIENT_NOT_ALLOWED), check(TARGET, fenced.withState(SandboxState.PAUSED)));
        assertEquals(Optional.empty(), open.rejection(TARGET, Optional.of(fenced), new byte[] {10, 1, 2, 3},
                Credentials.NONE));
    }

    @Test
    void tokenProtectedSandboxNeedsAToken() {
        SandboxRecord locked = RECORD.withAccessToken("s3cret");
        assertEquals(Optional.of(GatewayError.ACCESS_TOKEN_MISSING), withCredentials(locked, Credentials.NONE));
        assertEquals(Optional.of(GatewayError.ACCESS_TOKEN_MISSING),
                withCredentials(locked.withState(SandboxState.STOPPED), Credentials.NONE));
    }

    @Test
    void headerAndQueryTokensAreCompared() {
        SandboxRecord locked = RECORD.withAccessToken("s3cret");
        assertEquals(Optional.empty(), withCredentials(locked, new Credentials("s3cret", null, null, HOST)));
        assertEquals(Optional.empty(), withCredentials(locked, new Credentials(null, "s3cret", null, HOST)));
        assertEquals(Optional.of(GatewayError.ACCESS_TOKEN_INVALID),
                withCredentials(locked, new Credentials("s3cre", null, null, HOST)));
        assertEquals(Optional.of(GatewayError.ACCESS_TOKEN_INVALID),
                withCredentials(locked, new Credentials(null, "s3cret!", null, HOST)));
    }

    @Test
    void wrongHeaderIsNotRescuedByAValidCookie() {
        SandboxRecord locked = RECORD.withAccessToken("s3cret");
        String cookie = AccessTokens.cookieValue("s3cret", HOST);
        assertEquals(Optional.of(GatewayError.ACCESS_TOKEN_INVALID),
                withCredentials(locked, new Credentials("wrong", null, cookie, HOST)));
    }

    @Test
    void cookieIsValidOnlyForItsHostAndToken() {
        SandboxRecord locked = RECORD.withAccessToken("s3cret");
        String cookie = AccessTokens.cookieValue("s3cret", HOST);
        assertNotEquals("s3cret", cookie);
        assertEquals(Optional.empty(), withCredentials(locked, new Credentials(null, null, cookie, HOST)));
        assertEquals(Optional.of(GatewayError.ACCESS_TOKEN_INVALID),
                withCredentials(locked, new Credentials(null, null, cookie, "8080-abc.sandbox.example.dev")));
        assertEquals(Optional.of(GatewayError.ACCESS_TOKEN_INVALID),
                withCredentials(locked.withAccessToken("rotated"), new Credentials(null, null, cookie, HOST)));
    }

    @Test
    void tokenComparisonIsExact() {
        assertTrue(AccessTokens.matches("abc", "abc"));
        assertFalse(AccessTokens.matches("abc", "abcd"));
        assertFalse(AccessTokens.matches("abc", "ABC"));
        assertFalse(AccessTokens.matches("abc", null));
    }
}
