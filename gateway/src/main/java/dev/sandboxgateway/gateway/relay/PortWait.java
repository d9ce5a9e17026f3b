package dev.sandboxgateway.gateway.relay;

import dev.sandboxgateway.gateway.request.HeldRequests;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One request's wait for a port that refused its connection, most often a dev server still
 * starting: its place among the held requests, and the schedule of connect attempts, 50 ms apart at
 * first and doubling to 500 ms, the last one at the deadline. Nothing was sent, so retrying is safe
 * for any method. Runs on the exchange's event loop.
 */
final class PortWait {

    private static final long FIRST_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final HeldRequests held;
    private final String sandboxId;
    private final long startNanos = System.nanoTime();
    private final long deadlineNanos;
    private long delayNanos = FIRST_DELAY_NANOS;
    private @Nullable ScheduledFuture<?> attempt;
    private boolean ended;

    private PortWait(HeldRequests held, String sandboxId, Duration wait) {
        this.held = held;
        this.sandboxId = sandboxId;
        this.deadlineNanos = startNanos + wait.toNanos();
    }

    /** A wait of at most {@code wait}, or {@code null} when the sandbox or the gateway holds as many as allowed. */
    static @Nullable PortWait start(HeldRequests held, String sandboxId, Duration wait) {
        return held.tryHold(sandboxId) ? new PortWait(held, sandboxId, wait) : null;
    }

    /**
     * Schedules the next connect attempt on {@code executor}.
     *
     * @return false when the deadline has passed: the wait is over
     */
    boolean scheduleAttempt(EventExecutor executor, Runnable connect) {
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            return false;
        }
        long delay = Math.min(delayNanos, remaining);
        delayNanos = Math.min(delayNanos * 2, MAX_DELAY_NANOS);
        attempt = executor.schedule(connect, delay, TimeUnit.NANOSECONDS);
        return true;
    }

    Duration waited() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** Gives the place back and cancels a pending attempt, so a request whose client left never connects. */
    void end() {
        if (ended) {
            return;
        }
        ended = true;
        held.release(sandboxId);
        ScheduledFuture<?> pending = attempt;
        if (pending != null) {
            pending.cancel(false);
        }
    }
}
