package dev.sandboxgateway.gateway.testing;

import io.netty.buffer.ByteBuf;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 and length of a body seen in pieces. */
public final class StreamingDigest {

    private final MessageDigest digest;
    private long bytes;

    public StreamingDigest() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public void update(ByteBuf buffer) {
        bytes += buffer.readableBytes();
        digest.update(buffer.nioBuffer());
    }

    public void update(byte[] buffer, int offset, int length) {
        bytes += length;
        digest.update(buffer, offset, length);
    }

    public long bytes() {
        return bytes;
    }

    public String hex() {
        return HexFormat.of().formatHex(digest.digest());
    }
}
