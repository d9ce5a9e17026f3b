package dev.sandboxgateway.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.AppenderBase;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A full access-log queue drops lines without blocking the caller, and counts each one it drops. */
class CountingAsyncAppenderTest {

    /** A console that stops taking lines until released. */
    private static final class StuckConsole extends AppenderBase<ILoggingEvent> {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        protected void append(ILoggingEvent event) {
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void linesBeyondAFullQueueAreCountedAsDropped() throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        StuckConsole console = new StuckConsole();
        console.setContext(context);
        console.start();
        CountingAsyncAppender appender = new CountingAsyncAppender();
        appender.setContext(context);
        appender.setQueueSize(4);
        appender.setDiscardingThreshold(0);
        appender.setNeverBlock(true);
        appender.setMaxFlushTime(1000);
        appender.addAppender(console);
        appender.start();
        long before = CountingAsyncAppender.dropped();
        try {
            appender.doAppend(event(context));
            assertTrue(console.entered.await(10, TimeUnit.SECONDS), "the worker took the first line: "
                    + context.getStatusManager().getCopyOfStatusList());
            for (int i = 0; i < 10; i++) {
                appender.doAppend(event(context));
            }
            assertEquals(6, CountingAsyncAppender.dropped() - before, "4 lines fit the queue, 6 do not");
        } finally {
            console.release.countDown();
            appender.stop();
        }
    }

    private static ILoggingEvent event(LoggerContext context) {
        return new LoggingEvent(CountingAsyncAppenderTest.class.getName(), context.getLogger("access"), Level.INFO,
                "line", null, null);
    }
}
