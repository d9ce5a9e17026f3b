package dev.sandboxgateway.gateway.relay;

import io.netty.buffer.ByteBuf;

/**
 * Where WebSocket frames begin and end in one direction of a tunnel, read from their headers only
 * (RFC 6455 §5.2: two bytes, an extended length of 2 or 8, a mask key of 4 when masked); payloads
 * are counted past, never read or changed. It lets the gateway put a frame of its own (a close)
 * between two frames instead of inside one.
 */
final class FrameBoundaries {

    /** Header bytes seen of the frame being read; 0 between frames and within a payload. */
    private int headerSeen;
    /** The header's length once its second byte is known (2 to 14). */
    private int headerLength = 2;
    private final byte[] header = new byte[14];
    private boolean inPayload;
    /** Payload bytes still to pass while {@link #inPayload}. */
    private long payloadLeft;

    /** Whether the bytes seen so far end exactly at the end of a frame. */
    boolean atBoundary() {
        return !inPayload && headerSeen == 0;
    }

    /** Follows every readable byte of {@code buf}, without moving its indexes. */
    void pass(ByteBuf buf) {
        advance(buf, false);
    }

    /**
     * Follows {@code buf}'s readable bytes up to the end of the first frame that ends within them.
     *
     * @return the absolute index just past that frame, or -1 when no frame ends in {@code buf} (then
     *         all of it was followed)
     */
    int passToBoundary(ByteBuf buf) {
        return advance(buf, true);
    }

    private int advance(ByteBuf buf, boolean stopAtBoundary) {
        int index = buf.readerIndex();
        int end = buf.writerIndex();
        while (index < end) {
            if (inPayload) {
                long take = Math.min(payloadLeft, end - index);
                index += (int) take;
                payloadLeft -= take;
                if (payloadLeft == 0) {
                    inPayload = false;
                    if (stopAtBoundary) {
                        return index;
                    }
                }
                continue;
            }
            header[headerSeen++] = buf.getByte(index++);
            if (headerSeen == 2) {
                int length7 = header[1] & 0x7f;
                boolean masked = (header[1] & 0x80) != 0;
                headerLength = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + (masked ? 4 : 0);
            }
            if (headerSeen >= 2 && headerSeen == headerLength) {
                payloadLeft = payloadLength();
                headerSeen = 0;
                headerLength = 2;
                if (payloadLeft > 0) {
                    inPayload = true;
                } else if (stopAtBoundary) {
                    return index;
                }
            }
        }
        return -1;
    }

    private long payloadLength() {
        int length7 = header[1] & 0x7f;
        if (length7 < 126) {
            return length7;
        }
        long length = 0;
        int bytes = length7 == 126 ? 2 : 8;
        for (int i = 0; i < bytes; i++) {
            length = (length << 8) | (header[2 + i] & 0xff);
        }
        return length;
    }
}
