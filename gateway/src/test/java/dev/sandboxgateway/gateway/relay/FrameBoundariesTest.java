package dev.sandboxgateway.gateway.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Frame ends found from headers alone, whatever the lengths, masks and read sizes. */
@Tag("unit")
class FrameBoundariesTest {

    /** A frame with {@code payload} bytes: 7-bit, 16-bit or 64-bit length as the size needs, masked or not. */
    static byte[] frame(int opcode, int payload, boolean masked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80 | opcode);
        int mask = masked ? 0x80 : 0;
        if (payload < 126) {
            out.write(mask | payload);
        } else if (payload < 65536) {
            out.write(mask | 126);
            out.write(payload >> 8);
            out.write(payload & 0xff);
        } else {
            out.write(mask | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (((long) payload >> shift) & 0xff));
            }
        }
        if (masked) {
            out.writeBytes(new byte[] {1, 2, 3, 4});
        }
        out.writeBytes(new byte[payload]);
        return out.toByteArray();
    }

    @Test
    void everyFrameEndIsFoundWhereverTheReadsSplitTheStream() {
        List<byte[]> frames = List.of(frame(1, 5, true), frame(2, 0, false), frame(1, 300, true),
                frame(9, 0, true), frame(2, 70_000, false), frame(1, 125, false), frame(8, 2, true));
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<Integer> ends = new ArrayList<>();
        for (byte[] frame : frames) {
            stream.writeBytes(frame);
            ends.add(stream.size());
        }
        byte[] bytes = stream.toByteArray();
        for (int chunk : new int[] {1, 2, 3, 7, 13, 1000, bytes.length}) {
            FrameBoundaries boundaries = new FrameBoundaries();
            List<Integer> found = new ArrayList<>();
            for (int offset = 0; offset < bytes.length; offset += chunk) {
                ByteBuf read = Unpooled.wrappedBuffer(bytes, offset, Math.min(chunk, bytes.length - offset));
                int from = read.readerIndex();
                while (read.isReadable()) {
                    int end = boundaries.passToBoundary(read);
                    if (end < 0) {
                        break;
                    }
                    found.add(offset + end - from);
                    assertTrue(boundaries.atBoundary());
                    read.readerIndex(end);
                }
            }
            assertEquals(ends, found, "reads of " + chunk + " bytes");
            assertTrue(boundaries.atBoundary());
        }
    }

    @Test
    void passingFollowsWithoutStoppingAndKnowsWhenItIsMidFrame() {
        byte[] frame = frame(1, 10, true);
        FrameBoundaries boundaries = new FrameBoundaries();
        boundaries.pass(Unpooled.wrappedBuffer(frame, 0, 7));
        assertFalse(boundaries.atBoundary(), "inside the mask key");
        boundaries.pass(Unpooled.wrappedBuffer(frame, 7, 5));
        assertFalse(boundaries.atBoundary(), "inside the payload");
        ByteBuf rest = Unpooled.wrappedBuffer(frame, 12, frame.length - 12);
        boundaries.pass(rest);
        assertTrue(boundaries.atBoundary());
        assertEquals(0, rest.readerIndex(), "indexes are left alone");
    }
}
