package dev.sandboxgateway.gateway;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signals a service manager sends. SIGHUP reloads the configuration (systemd's
 * {@code ExecReload=kill -HUP $MAINPID}); left to the JVM it would run the shutdown hooks and end
 * the gateway. SIGTERM and SIGINT are taken as a request to stop, so that the gateway drains on
 * its main thread and exits with status 0. Left to the JVM, either signal runs the shutdown hooks and then exits with
 * 128 plus the signal's number (143, 130), which service managers such as systemd report as a
 * failure after every ordinary stop. {@code sun.misc.Signal} is the JDK's supported way to handle
 * a signal (module {@code jdk.unsupported}, JEP 260); there is no other in the standard library.
 * It is reached by reflection because javac warns on every compile-time use of it, a warning no
 * annotation silences, and the build treats warnings as errors.
 */
final class ProcessSignals {

    private static final Logger log = LoggerFactory.getLogger(ProcessSignals.class);
    private static final List<String> STOP = List.of("TERM", "INT");
    private static final String RELOAD = "HUP";

    private ProcessSignals() {
    }

    /**
     * Runs {@code onStop} when SIGTERM or SIGINT arrives and {@code onReload} on SIGHUP, each on the
     * JVM's signal thread. A signal the JVM refuses a handler for (for example under {@code -Xrs})
     * keeps the JVM's own handling, which is logged: the shutdown hook still drains, and the exit
     * status is the JVM's.
     */
    static void install(Runnable onStop, Runnable onReload) {
        for (String name : STOP) {
            try {
                handle(name, onStop);
            } catch (IllegalArgumentException e) {
                log.warn("cannot handle SIG{}: {}; the JVM's shutdown hooks will stop the gateway", name, e.getMessage());
            }
        }
        try {
            handle(RELOAD, onReload);
        } catch (IllegalArgumentException e) {
            log.warn("cannot handle SIG{}: {}; reload through POST /v1/reload instead, SIGHUP stops the gateway",
                    RELOAD, e.getMessage());
        }
    }

    /** {@code Signal.handle(new Signal(name), signal -> action.run())}, through reflection. */
    private static void handle(String name, Runnable action) {
        try {
            Class<?> signalType = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object handler = Proxy.newProxyInstance(ProcessSignals.class.getClassLoader(), new Class<?>[] {handlerType},
                    (proxy, method, arguments) -> {
                        if (method.getDeclaringClass() == Object.class) {
                            return objectMethod(proxy, method, arguments, name);
                        }
                        action.run();
                        return null;
                    });
            Object signal = signalType.getConstructor(String.class).newInstance(name);
            signalType.getMethod("handle", signalType, handlerType).invoke(null, signal, handler);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException refused) {
                throw refused;
            }
            throw new IllegalArgumentException(String.valueOf(e.getCause()), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("sun.misc.Signal is not usable on this JVM: " + e, e);
        }
    }

    private static Object objectMethod(Object proxy, Method method, Object @Nullable [] arguments, String name) {
        return switch (method.getName()) {
            case "equals" -> arguments != null && proxy == arguments[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> "handler of SIG" + name;
        };
    }
}
