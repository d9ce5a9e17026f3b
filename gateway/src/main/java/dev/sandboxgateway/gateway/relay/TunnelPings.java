package dev.sandboxgateway.gateway.relay;

import dev.sandboxgateway.gateway.transport.LazyTimer;

/**
 * The gateway's pings on one quiet tunnel ({@code webSocket.pingInterval}): the timer pushed back by
 * every read batch on either side, and the pongs still owed, which the client's side of the tunnel
 * takes out of the stream so the sandbox never sees answers to pings it did not send. Used on the
 * tunnel's event loop only.
 */
public final class TunnelPings {

    private final LazyTimer timer;
    private final long intervalNanos;
    private int outstanding;

    /** @param timer runs the ping when it expires */
    public TunnelPings(LazyTimer timer, long intervalNanos) {
        this.timer = timer;
        this.intervalNanos = intervalNanos;
    }

    /** Traffic in either direction: the next ping is an interval away. */
    public void active() {
        timer.armAfter(intervalNanos);
    }

    void sent() {
        outstanding++;
    }

    boolean expectsPong() {
        return outstanding > 0;
    }

    void ponged() {
        if (outstanding > 0) {
            outstanding--;
        }
    }

    public void stop() {
        timer.stop();
    }
}
