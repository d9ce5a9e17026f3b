package dev.sandboxgateway.gateway.edge;

/**
 * How the client's recent streams on one HTTP/2 connection ended, so that a frame arriving for a
 * stream that is no longer open gets the error RFC 9113 section 5.1 gives it: a stream the client
 * never opened but skipped is a connection error PROTOCOL_ERROR, a stream the client had ended is a
 * connection error STREAM_CLOSED, and a stream either side reset stays a stream error (frames
 * may still have been in flight when the reset crossed them).
 *
 * <p>Remembered for the last {@value #WINDOW} stream ids, in two bit sets of 64 bytes each, so its
 * memory is fixed however many streams a connection carries. A frame for an older stream is
 * taken as one for a stream that ended, as section 5.1 allows once a stream has been closed for a
 * while.
 */
final class ClientStreamHistory {

    /** How a stream that is no longer open came to be so. */
    enum Ending { NEVER_OPENED, ENDED, RESET }

    /** Client stream ids are odd, so this many ids take {@code WINDOW / 2} bits. */
    static final int WINDOW = 1024;
    private static final int SLOTS = WINDOW / 2;

    private final long[] opened = new long[SLOTS / 64];
    private final long[] reset = new long[SLOTS / 64];
    private int highest;

    /** Records a stream the client opened; the ids it skipped on the way were never opened. */
    void opened(int streamId) {
        int skippedFrom = Math.max(highest + 2, streamId - WINDOW + 2);
        for (int id = skippedFrom; id < streamId; id += 2) {
            clear(opened, id);
        }
        set(opened, streamId);
        clear(reset, streamId);
        highest = Math.max(highest, streamId);
    }

    void reset(int streamId) {
        if (isRemembered(streamId)) {
            set(reset, streamId);
        }
    }

    /** How a client stream that is no longer open ended; only asked for ids up to the highest opened. */
    Ending endingOf(int streamId) {
        if (!isRemembered(streamId)) {
            return Ending.ENDED;
        }
        if (!isSet(opened, streamId)) {
            return Ending.NEVER_OPENED;
        }
        return isSet(reset, streamId) ? Ending.RESET : Ending.ENDED;
    }

    private boolean isRemembered(int streamId) {
        return streamId > highest - WINDOW && streamId <= highest;
    }

    private static int slot(int streamId) {
        return (streamId >>> 1) % SLOTS;
    }

    private static void set(long[] bits, int streamId) {
        int slot = slot(streamId);
        bits[slot >>> 6] |= 1L << slot;
    }

    private static void clear(long[] bits, int streamId) {
        int slot = slot(streamId);
        bits[slot >>> 6] &= ~(1L << slot);
    }

    private static boolean isSet(long[] bits, int streamId) {
        int slot = slot(streamId);
        return (bits[slot >>> 6] & 1L << slot) != 0;
    }
}
