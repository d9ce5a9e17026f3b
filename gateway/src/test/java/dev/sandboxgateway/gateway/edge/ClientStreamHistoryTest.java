package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sandboxgateway.gateway.edge.ClientStreamHistory.Ending;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** How a client stream that is no longer open ended, for every way it can have ended. */
@Tag("unit")
class ClientStreamHistoryTest {

    @Test
    void skippedIdsWereNeverOpenedAndEndedOnesAreToldFromResetOnes() {
        ClientStreamHistory history = new ClientStreamHistory();
        history.opened(1);
        history.opened(3);
        history.reset(3);
        history.opened(9);

        assertEquals(Ending.ENDED, history.endingOf(1));
        assertEquals(Ending.RESET, history.endingOf(3));
        assertEquals(Ending.NEVER_OPENED, history.endingOf(5));
        assertEquals(Ending.NEVER_OPENED, history.endingOf(7));
    }

    @Test
    void idsOlderThanTheWindowCountAsEnded() {
        ClientStreamHistory history = new ClientStreamHistory();
        history.opened(1);
        history.reset(1);
        history.opened(1 + 2 * ClientStreamHistory.WINDOW);
        assertEquals(Ending.ENDED, history.endingOf(1), "a reset too long ago to remember");
        assertEquals(Ending.NEVER_OPENED, history.endingOf(3 + ClientStreamHistory.WINDOW),
                "skipped, and inside the window");
    }

    @Test
    void aSlotReusedByALaterIdForgetsTheEarlierOnesEnding() {
        ClientStreamHistory history = new ClientStreamHistory();
        history.opened(1);
        history.reset(1);
        // Same slot as id 1, one window later: its own fate only.
        int later = 1 + ClientStreamHistory.WINDOW;
        history.opened(later);
        history.opened(later + 2);
        assertEquals(Ending.ENDED, history.endingOf(later));
    }
}
