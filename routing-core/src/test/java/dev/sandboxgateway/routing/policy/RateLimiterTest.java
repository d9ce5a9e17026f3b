package dev.sandboxgateway.routing.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class RateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RateLimiter limiter = new RateLimiter(new RateLimiter.Rate(10, 3), 1000, now::get);

    @Test
    void burstIsAdmittedThenTheRateApplies() {
        for (int i = 0; i < 3; i++) {
            assertEquals(0, limiter.acquire("a"));
        }
        long wait = limiter.acquire("a");
        assertTrue(wait > 0 && wait <= TimeUnit.MILLISECONDS.toNanos(100), "wait " + wait);
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
        assertEquals(0, limiter.acquire("a"));
        assertTrue(limiter.acquire("a") > 0);
    }

    @Test
    void keysHaveTheirOwnBuckets() {
        for (int i = 0; i < 3; i++) {
            limiter.acquire("a");
        }
        assertTrue(limiter.acquire("a") > 0);
        assertEquals(0, limiter.acquire("b"));
    }

    @Test
    void aQuietBucketRefillsOnlyUpToItsBurst() {
        now.addAndGet(TimeUnit.SECONDS.toNanos(30));
        for (int i = 0; i < 3; i++) {
            assertEquals(0, limiter.acquire("a"));
        }
        assertTrue(limiter.acquire("a") > 0);
    }
}
