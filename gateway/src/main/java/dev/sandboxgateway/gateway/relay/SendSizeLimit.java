package dev.sandboxgateway.gateway.relay;

import io.netty.channel.ChannelOutboundInvoker;

/**
 * Bytes written to one channel since it was last flushed, kept so that a flush never hands the kernel
 * more than {@link #MAX_BYTES_PER_SEND} at once (unless one buffer alone is larger).
 *
 * <p>Why: a send larger than one TCP segmentation-offload packet (64 KiB including headers, on loopback
 * and on a 1,500-byte MTU link alike) leaves a remainder that, under a pacing congestion control such as
 * BBR without the {@code fq} qdisc, the kernel holds back on a per-socket timer. On the benchmark machine
 * arming that timer was the largest single cost of relaying a large body; 32 KiB sends fit one packet
 * (docs/design-notes.md, "Read and send sizes"). Reads are capped at the same size
 * ({@code NettyTransport.MAX_READ_BYTES}), so a relayed buffer is never larger.
 */
final class SendSizeLimit {

    static final int MAX_BYTES_PER_SEND = 32 * 1024;

    private int unflushed;

    /**
     * Counts {@code bytes} about to be written.
     *
     * @return true when what was written before must be flushed first, so these bytes start a new send
     */
    boolean startsNewSend(int bytes) {
        boolean flushFirst = unflushed > 0 && unflushed + bytes > MAX_BYTES_PER_SEND;
        unflushed = flushFirst ? bytes : unflushed + bytes;
        return flushFirst;
    }

    /** The channel was flushed. */
    void flushed() {
        unflushed = 0;
    }

    /** Writes {@code message}, {@code bytes} long, to {@code out}, flushing first when {@link #startsNewSend} says. */
    void write(ChannelOutboundInvoker out, Object message, int bytes) {
        if (startsNewSend(bytes)) {
            out.flush();
        }
        out.write(message, out.voidPromise());
    }

    /** Flushes {@code out}: what is written next starts a new send. */
    void flush(ChannelOutboundInvoker out) {
        out.flush();
        flushed();
    }
}
