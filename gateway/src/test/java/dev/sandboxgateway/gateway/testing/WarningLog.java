package dev.sandboxgateway.gateway.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * What the gateway and Netty log at WARN or above while it is open: a client's misbehaviour must
 * never reach an operator's warnings, with or without a stack trace, however often it is repeated.
 */
public final class WarningLog implements AutoCloseable {

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private WarningLog() {
        appender.setContext(root.getLoggerContext());
        appender.start();
        root.addAppender(appender);
    }

    public static WarningLog capture() {
        return new WarningLog();
    }

    /** Each warning as {@code logger: message (exception)}, in the order logged. */
    public List<String> warnings() {
        synchronized (appender) {
            return appender.list.stream()
                    .filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
                    .filter(event -> event.getLoggerName().startsWith("dev.sandboxgateway")
                            || event.getLoggerName().startsWith("io.netty"))
                    .map(event -> event.getLoggerName() + ": " + event.getFormattedMessage()
                            + (event.getThrowableProxy() == null ? "" : " (" + event.getThrowableProxy().getClassName()
                            + ": " + event.getThrowableProxy().getMessage() + ")"))
                    .toList();
        }
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
