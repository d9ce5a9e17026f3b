package dev.sandboxgateway.gateway.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class HeldRequestsTest {

    @Test
    void eachSandboxHasItsOwnBoundWithinTheGatewaysBound() {
        HeldRequests held = new HeldRequests(5, 3);
        assertTrue(held.tryHold("a"));
        assertTrue(held.tryHold("a"));
        assertTrue(held.tryHold("a"));
        assertFalse(held.tryHold("a"), "a's bound");
        assertTrue(held.tryHold("b"));
        assertTrue(held.tryHold("b"));
        assertFalse(held.tryHold("c"), "the gateway's bound");
        assertEquals(5, held.held());

        held.release("a");
        assertTrue(held.tryHold("c"), "a released place is free for anyone");
        assertFalse(held.tryHold("c"));
        assertEquals(2, held.held("a"));
        assertEquals(1, held.held("c"));
    }

    @Test
    void releasingEveryPlaceLeavesNothingBehind() {
        HeldRequests held = new HeldRequests(10, 10);
        for (int i = 0; i < 4; i++) {
            assertTrue(held.tryHold("a"));
        }
        for (int i = 0; i < 4; i++) {
            held.release("a");
        }
        assertEquals(0, held.held());
        assertEquals(0, held.held("a"));
    }
}
