package dev.sandboxgateway.gateway.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * WebSocket close frames the gateway sends on a tunnel's behalf (RFC 6455 §5.5.1): unmasked toward
 * a client, masked toward a sandbox, as frames from a client must be.
 */
final class CloseFrames {

    /** 1001: the endpoint is going away (the sandbox changed, or the gateway stops using this connection). */
    static final int GOING_AWAY = 1001;
    /** 1012: the service is restarting; a client may reconnect at once (it reaches another gateway). */
    static final int SERVICE_RESTART = 1012;

    private CloseFrames() {
    }

    /** @param reason at most 123 bytes of UTF-8 */
    static ByteBuf toClient(ByteBufAllocator alloc, int code, String reason) {
        return frame(alloc, code, reason, false);
    }

    /** @param reason at most 123 bytes of UTF-8 */
    static ByteBuf toSandbox(ByteBufAllocator alloc, int code, String reason) {
        return frame(alloc, code, reason, true);
    }

    private static ByteBuf frame(ByteBufAllocator alloc, int code, String reason, boolean masked) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        if (text.length > 123) {
            throw new IllegalArgumentException("a close reason fits 123 bytes: " + reason);
        }
        byte[] payload = new byte[2 + text.length];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, text.length);
        ByteBuf frame = alloc.buffer(2 + (masked ? 4 : 0) + payload.length);
        frame.writeByte(0x88);
        frame.writeByte((masked ? 0x80 : 0) | payload.length);
        if (masked) {
            byte[] key = new byte[4];
            ThreadLocalRandom.current().nextBytes(key);
            frame.writeBytes(key);
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= key[i % 4];
            }
        }
        return frame.writeBytes(payload);
    }
}
