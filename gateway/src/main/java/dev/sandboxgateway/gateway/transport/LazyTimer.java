package dev.sandboxgateway.gateway.transport;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A re-armable deadline on one event loop that costs two field writes to arm or disarm.
 *
 * <p>A scheduled task is only created when none is pending or the new deadline is earlier than the
 * pending one; a task that fires before the current deadline re-schedules itself for the rest.
 * Per-request timeouts on keep-alive connections therefore touch the scheduler about once per
 * timeout period instead of twice per request. Not thread-safe: use from the owning loop only.
 */
public final class LazyTimer implements Runnable {

    private final EventExecutor executor;
    private final Runnable onExpiry;
    private boolean armed;
    private long deadline;
    private @Nullable ScheduledFuture<?> task;
    private long taskDeadline;

    public LazyTimer(EventExecutor executor, Runnable onExpiry) {
        this.executor = executor;
        this.onExpiry = onExpiry;
    }

    public void armAfter(long nanos) {
        armAt(System.nanoTime() + nanos);
    }

    public void armAt(long nanoTime) {
        armed = true;
        deadline = nanoTime;
        if (task == null) {
            schedule(nanoTime);
        } else if (nanoTime - taskDeadline < 0) {
            task.cancel(false);
            schedule(nanoTime);
        }
    }

    public void disarm() {
        armed = false;
    }

    /** Disarms and drops the pending task, so a closed connection leaves nothing in the scheduler. */
    public void stop() {
        armed = false;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    @Override
    public void run() {
        task = null;
        if (!armed) {
            return;
        }
        if (deadline - System.nanoTime() > 0) {
            schedule(deadline);
            return;
        }
        armed = false;
        onExpiry.run();
    }

    private void schedule(long nanoTime) {
        taskDeadline = nanoTime;
        task = executor.schedule(this, nanoTime - System.nanoTime(), TimeUnit.NANOSECONDS);
    }
}
