package dev.sandboxgateway.gateway.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** What one logger logs at {@code level} and above while open; its level is restored on close. */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final Level before;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(String name, Level level) {
        logger = (Logger) LoggerFactory.getLogger(name);
        before = logger.getLevel();
        logger.setLevel(level);
        // Kept out of the console: a test asks for debug lines to check them, not to print them.
        logger.setAdditive(false);
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
    }

    public static LogCapture debugOf(Class<?> type) {
        return new LogCapture(type.getName(), Level.DEBUG);
    }

    /** The {@code access} logger's lines; open it before the gateway starts, which decides once whether to log. */
    public static LogCapture accessLog() {
        return new LogCapture("access", Level.INFO);
    }

    /** Each message, formatted, in the order logged. */
    public List<String> messages() {
        synchronized (appender) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(before);
        logger.setAdditive(true);
        appender.stop();
    }
}
