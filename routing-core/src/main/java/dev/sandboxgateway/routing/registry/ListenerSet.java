package dev.sandboxgateway.routing.registry;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fans registry events out to subscribers; one failing listener does not stop the others. */
final class ListenerSet {

    private static final Logger log = LoggerFactory.getLogger(ListenerSet.class);

    private final List<RegistryListener> listeners = new CopyOnWriteArrayList<>();

    Subscription add(RegistryListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    void updated(SandboxRecord record) {
        each(l -> l.onUpdated(record));
    }

    void removed(String sandboxId) {
        each(l -> l.onRemoved(sandboxId));
    }

    void reset() {
        each(RegistryListener::onReset);
    }

    private void each(Consumer<RegistryListener> event) {
        for (RegistryListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                log.error("registry listener {} failed", listener, e);
            }
        }
    }
}
