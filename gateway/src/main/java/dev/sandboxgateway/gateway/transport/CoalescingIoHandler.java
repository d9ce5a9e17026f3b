package dev.sandboxgateway.gateway.transport;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Wraps a transport's {@link IoHandler} so that a loaded event loop collects I/O in batches: after
 * a pass that handled several I/O events, the loop waits up to {@code pause} on its own timer and
 * then collects whatever arrived, instead of sleeping in the kernel until the next packet wakes it.
 *
 * <p>Why: a loop that blocks as soon as it runs out of work is woken once per arriving packet, and
 * each wake-up is paid by the core that sent the packet (an inter-processor interrupt, on a VM an
 * exit to the hypervisor). Under steady load that is most of a request's cost on the load side.
 * While the loop pauses here nothing wakes it: the kernel queues completions and readiness without
 * a waiter to notify. An idle or lightly used loop (a pass with fewer events) blocks as before, so
 * a lone request is never delayed; tasks submitted from other threads end the pause at once.
 */
final class CoalescingIoHandler implements IoHandler {

    /**
     * I/O events in one pass that mark the loop as loaded: more than one request's read and write
     * on each side, so a single connection's request-response exchange never pauses.
     */
    static final int LOADED_PASS_EVENTS = 4;

    private final IoHandler delegate;
    private final long pauseNanos;
    private final NonBlockingContext nonBlocking = new NonBlockingContext();
    private volatile @Nullable Thread loopThread;
    private volatile boolean wakeupRequested;
    private int lastPassEvents;

    private CoalescingIoHandler(IoHandler delegate, long pauseNanos) {
        this.delegate = delegate;
        this.pauseNanos = pauseNanos;
    }

    /** {@code factory}'s handlers, coalescing with {@code pause}; {@code factory} itself when the pause is zero. */
    static IoHandlerFactory factory(IoHandlerFactory factory, Duration pause) {
        if (pause.isZero()) {
            return factory;
        }
        long pauseNanos = pause.toNanos();
        return executor -> new CoalescingIoHandler(factory.newHandler(executor), pauseNanos);
    }

    @Override
    public void initialize() {
        loopThread = Thread.currentThread();
        delegate.initialize();
    }

    @Override
    public int run(IoHandlerContext context) {
        IoHandlerContext pass = context;
        if (lastPassEvents >= LOADED_PASS_EVENTS) {
            // Cleared before looking at the task queue: a task queued after this point wakes the pause.
            wakeupRequested = false;
            if (context.canBlock()) {
                pause(Math.min(pauseNanos, context.delayNanos(System.nanoTime())));
                nonBlocking.outer = context;
                pass = nonBlocking;
            }
        }
        lastPassEvents = delegate.run(pass);
        return lastPassEvents;
    }

    private void pause(long nanos) {
        long deadline = System.nanoTime() + nanos;
        long remaining = nanos;
        while (remaining > 0 && !wakeupRequested) {
            LockSupport.parkNanos(this, remaining);
            remaining = deadline - System.nanoTime();
        }
    }

    @Override
    public void wakeup() {
        delegate.wakeup();
        Thread thread = loopThread;
        if (thread != null && thread != Thread.currentThread()) {
            wakeupRequested = true;
            LockSupport.unpark(thread);
        }
    }

    @Override
    public void prepareToDestroy() {
        delegate.prepareToDestroy();
    }

    @Override
    public void destroy() {
        delegate.destroy();
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        return delegate.register(handle);
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return delegate.isCompatible(handleType);
    }

    /** The event loop's context, except that the pass after a pause must collect without blocking. */
    private static final class NonBlockingContext implements IoHandlerContext {
        /** Set before every pass that uses this context. */
        @SuppressWarnings("NullAway.Init")
        private IoHandlerContext outer;

        @Override
        public boolean canBlock() {
            return false;
        }

        @Override
        public long delayNanos(long currentTimeNanos) {
            return outer.delayNanos(currentTimeNanos);
        }

        @Override
        public long deadlineNanos() {
            return outer.deadlineNanos();
        }

        @Override
        public void reportActiveIoTime(long activeNanos) {
            outer.reportActiveIoTime(activeNanos);
        }

        @Override
        public boolean shouldReportActiveIoTime() {
            return outer.shouldReportActiveIoTime();
        }
    }
}
