package dev.sandboxgateway.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutingPolicyTest {

    private static final SandboxRecord RECORD = new SandboxRecord("abc", "s1s1", "10.0.0.5", SandboxState.RUNNING,
            Set.of(3000, 8080), null, Map.of());

    private static Optional<GatewayError> check(SandboxTarget target, SandboxRecord record) {
        return RoutingPolicy.rejection(target, Optional.ofNullable(record));
    }

    @Test
    void runningSandboxOnAllowedPortIsRouted() {
        assertEquals(Optional.empty(), check(new SandboxTarget(3000, "abc", "s1s1"), RECORD));
        assertEquals(Optional.empty(), check(new SandboxTarget(8080, "abc", null), RECORD));
    }

    @Test
    void unknownSandboxIsNotFound() {
        assertEquals(Optional.of(GatewayError.SANDBOX_NOT_FOUND), check(new SandboxTarget(3000, "abc", null), null));
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
        SandboxTarget target = new SandboxTarget(3000, "abc", null);
        assertEquals(Optional.of(GatewayError.SANDBOX_PAUSED), check(target, RECORD.withState(SandboxState.PAUSED)));
        assertEquals(Optional.of(GatewayError.SANDBOX_STARTING), check(target, RECORD.withState(SandboxState.STARTING)));
        assertEquals(Optional.of(GatewayError.SANDBOX_STOPPED), check(target, RECORD.withState(SandboxState.STOPPED)));
    }

    @Test
    void portOutsideAllowListIsForbidden() {
        assertEquals(Optional.of(GatewayError.PORT_NOT_ALLOWED), check(new SandboxTarget(22, "abc", null), RECORD));
    }

    @Test
    void emptyAllowListAllowsEveryPort() {
        assertEquals(Optional.empty(), check(new SandboxTarget(22, "abc", null), SandboxRecord.running("abc", "h")));
    }
}
