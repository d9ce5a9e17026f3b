package dev.sandboxgateway.gateway;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import dev.sandboxgateway.config.LogFormat;
import java.net.URL;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * Switches Logback to {@code logback-json.xml} for {@code logging.format: json}. Logback configures
 * itself from {@code logback.xml} before any configuration is read, so this happens once the
 * configuration is loaded and before the gateway starts. An operator's own
 * {@code -Dlogback.configurationFile} wins: it is left alone.
 */
final class LogSetup {

    private LogSetup() {
    }

    /** @return a line saying why the format could not be applied, or {@code null} when it was (or is the default) */
    static @Nullable String apply(LogFormat format) {
        if (format == LogFormat.TEXT || System.getProperty("logback.configurationFile") != null) {
            return null;
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return "logging.format: json needs Logback; the logging backend is "
                    + LoggerFactory.getILoggerFactory().getClass().getName();
        }
        URL json = Objects.requireNonNull(LogSetup.class.getResource("/logback-json.xml"), "logback-json.xml");
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        context.reset();
        try {
            configurator.doConfigure(json);
        } catch (JoranException e) {
            return "logging.format: json: " + e.getMessage();
        }
        return null;
    }
}
