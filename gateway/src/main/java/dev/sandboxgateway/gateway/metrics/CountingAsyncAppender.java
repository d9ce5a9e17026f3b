package dev.sandboxgateway.gateway.metrics;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.concurrent.atomic.LongAdder;

/**
 * Logback's asynchronous appender, which with {@code neverBlock} drops an event when its queue is
 * full rather than stall an event loop, and here counts what it drops
 * ({@code gateway_access_log_dropped_total}). The count is taken just before the event is offered,
 * so a queue that fills in between is missed: the figure is a lower bound. Logback builds appenders
 * from the configuration by class name, so the count is the process's, kept statically.
 */
public final class CountingAsyncAppender extends AsyncAppender {

    private static final LongAdder DROPPED = new LongAdder();

    @Override
    protected void append(ILoggingEvent event) {
        if (isStarted() && getRemainingCapacity() == 0) {
            DROPPED.increment();
        }
        super.append(event);
    }

    /** Events dropped by every instance in this process since it started. */
    public static long dropped() {
        return DROPPED.sum();
    }
}
