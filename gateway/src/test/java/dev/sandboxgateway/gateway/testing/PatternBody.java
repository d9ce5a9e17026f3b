package dev.sandboxgateway.gateway.testing;

import java.io.IOException;
import java.io.InputStream;

/**
 * A deterministic pseudo-random body of any length, generated on the fly so that a 1 GiB body
 * needs no 1 GiB array on either end; the same seed always produces the same bytes.
 */
public final class PatternBody {

    /** A prime block length, so the pattern never lines up with any buffer or chunk size. */
    private static final int BLOCK = 1_048_583;
    private static final byte[] BASE = new byte[BLOCK];

    static {
        long x = 0x243F6A8885A308D3L;
        for (int i = 0; i < BLOCK; i++) {
            x += 0x9E3779B97F4A7C15L;
            long z = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
            BASE[i] = (byte) (z >>> 56);
        }
    }

    private PatternBody() {
    }

    /** Fills {@code buffer[0, length)} with the bytes at {@code position} of the body for {@code seed}. */
    public static void fill(long seed, long position, byte[] buffer, int length) {
        int offset = 0;
        while (offset < length) {
            long p = position + offset;
            int index = (int) (p % BLOCK);
            int n = Math.min(length - offset, BLOCK - index);
            System.arraycopy(BASE, index, buffer, offset, n);
            byte key = (byte) ((p / BLOCK) * 131 + seed);
            for (int i = offset; i < offset + n; i++) {
                buffer[i] ^= key;
            }
            offset += n;
        }
    }

    public static InputStream stream(long seed, long size) {
        return new InputStream() {
            private long position;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (position >= size) {
                    return -1;
                }
                int n = (int) Math.min(len, size - position);
                byte[] chunk = off == 0 ? b : new byte[n];
                fill(seed, position, chunk, n);
                if (off != 0) {
                    System.arraycopy(chunk, 0, b, off, n);
                }
                position += n;
                return n;
            }
        };
    }

    public static String sha256(long seed, long size) throws IOException {
        StreamingDigest digest = new StreamingDigest();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = stream(seed, size)) {
            int n;
            while ((n = in.read(buffer, 0, buffer.length)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return digest.hex();
    }
}
