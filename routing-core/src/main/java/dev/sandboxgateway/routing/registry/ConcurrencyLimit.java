package dev.sandboxgateway.routing.registry;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * At most {@code limit} asynchronous calls in flight; further calls wait in a bounded queue and
 * beyond it fail at once, so a burst of cache misses cannot overwhelm a control plane.
 */
final class ConcurrencyLimit {

    private final Semaphore permits;
    private final int maxWaiting;
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waitingCount = new AtomicInteger();

    ConcurrencyLimit(int limit, int maxWaiting) {
        this.permits = new Semaphore(limit);
        this.maxWaiting = maxWaiting;
    }

    <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable start = () -> call.get().whenComplete((value, error) -> {
            permits.release();
            startWaiting();
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(value);
            }
        });
        if (permits.tryAcquire()) {
            start.run();
            return result;
        }
        if (waitingCount.incrementAndGet() > maxWaiting) {
            waitingCount.decrementAndGet();
            return CompletableFuture.failedFuture(new RegistryUnavailableException(
                    "too many registry calls in flight and waiting (" + maxWaiting + " waiting)"));
        }
        waiting.add(start);
        startWaiting();
        return result;
    }

    private void startWaiting() {
        while (!waiting.isEmpty() && permits.tryAcquire()) {
            Runnable next = waiting.poll();
            if (next == null) {
                permits.release();
                return;
            }
            waitingCount.decrementAndGet();
            next.run();
        }
    }
}
