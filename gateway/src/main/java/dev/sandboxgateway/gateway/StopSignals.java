package dev.sandboxgateway.gateway;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT taken as a request to stop, so that the gateway drains on its main thread and
 * exits with status 0. Left to the JVM, either signal runs the shutdown hooks and then exits with
 * 128 plus the signal's number (143, 130), which service managers such as systemd report as a
 * failure after every ordinary stop. {@code sun.misc.Signal} is the JDK's supported way to handle
 * a signal (module {@code jdk.unsupported}, JEP 260); there is no other in the standard library.
 */
final class StopSignals {

    private static final Logger log = LoggerFactory.getLogger(StopSignals.class);
    private static final List<String> NAMES = List.of("TERM", "INT");

    private StopSignals() {
    }

    /**
     * Runs {@code onStop} (on the JVM's signal thread) when either signal arrives. A signal the JVM
     * refuses a handler for (for example under {@code -Xrs}) keeps the JVM's own handling, which is
     * logged: the shutdown hook still drains, and the exit status is the JVM's.
     */
    static void install(Runnable onStop) {
        for (String name : NAMES) {
            try {
                Signal.handle(new Signal(name), signal -> onStop.run());
            } catch (IllegalArgumentException e) {
                log.warn("cannot handle SIG{}: {}; the JVM's shutdown hooks will stop the gateway", name, e.getMessage());
            }
        }
    }
}
