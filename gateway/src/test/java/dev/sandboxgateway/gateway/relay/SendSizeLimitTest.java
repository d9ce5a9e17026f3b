package dev.sandboxgateway.gateway.relay;

import static dev.sandboxgateway.gateway.relay.SendSizeLimit.MAX_BYTES_PER_SEND;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SendSizeLimitTest {

    private final SendSizeLimit limit = new SendSizeLimit();

    @Test
    void buffersShareASendUpToTheLimit() {
        int quarter = MAX_BYTES_PER_SEND / 4;
        for (int i = 0; i < 4; i++) {
            assertFalse(limit.startsNewSend(quarter), "buffer " + i);
        }
        assertTrue(limit.startsNewSend(1), "one byte past the limit");
    }

    @Test
    void theBufferThatStartsANewSendIsTheFirstOfIt() {
        limit.startsNewSend(MAX_BYTES_PER_SEND - 1);
        assertTrue(limit.startsNewSend(MAX_BYTES_PER_SEND - 1));
        assertFalse(limit.startsNewSend(1));
        assertTrue(limit.startsNewSend(1));
    }

    @Test
    void aBufferLargerThanTheLimitGoesAloneWithoutAnEmptyFlushBeforeIt() {
        assertFalse(limit.startsNewSend(2 * MAX_BYTES_PER_SEND));
        assertTrue(limit.startsNewSend(1));
    }

    @Test
    void aFlushStartsTheCountAgain() {
        limit.startsNewSend(MAX_BYTES_PER_SEND);
        limit.flushed();
        assertFalse(limit.startsNewSend(MAX_BYTES_PER_SEND));
    }
}
