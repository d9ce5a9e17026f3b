package dev.sandboxgateway.gateway.request;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests held while their sandbox's port starts ({@code backend.portStartupWait}), counted
 * gateway-wide and per sandbox so that neither grows without bound: a request beyond either limit
 * is answered at once instead of held. Touched only on the refused-connect path, never per request.
 */
public final class HeldRequests {

    private final int max;
    private final int maxPerSandbox;
    private final AtomicInteger held = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> bySandbox = new ConcurrentHashMap<>();

    /**
     * @param max           {@code backend.maxHeldRequests}
     * @param maxPerSandbox {@code backend.maxHeldRequestsPerSandbox}
     */
    public HeldRequests(int max, int maxPerSandbox) {
        this.max = max;
        this.maxPerSandbox = maxPerSandbox;
    }

    /** Takes a place for one request to {@code sandboxId}; {@link #release} gives it back. */
    public boolean tryHold(String sandboxId) {
        if (held.incrementAndGet() > max) {
            held.decrementAndGet();
            return false;
        }
        boolean[] taken = {false};
        bySandbox.compute(sandboxId, (id, count) -> {
            int current = count == null ? 0 : count;
            if (current >= maxPerSandbox) {
                return count;
            }
            taken[0] = true;
            return current + 1;
        });
        if (!taken[0]) {
            held.decrementAndGet();
        }
        return taken[0];
    }

    public void release(String sandboxId) {
        bySandbox.computeIfPresent(sandboxId, (id, count) -> count <= 1 ? null : count - 1);
        held.decrementAndGet();
    }

    /** Requests held now. */
    public int held() {
        return held.get();
    }

    /** Requests held now for {@code sandboxId}. */
    public int held(String sandboxId) {
        return bySandbox.getOrDefault(sandboxId, 0);
    }
}
