package dev.sandboxgateway.gateway.relay;

import static dev.sandboxgateway.gateway.relay.SendSizeLimit.MAX_BYTES_PER_SEND;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sandboxgateway.gateway.transport.LazyTimer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class TunnelHandlerTest {

    private final SendsPerFlush sends = new SendsPerFlush();
    private final EmbeddedChannel peer = new EmbeddedChannel(sends);
    private final EmbeddedChannel side = new EmbeddedChannel();

    @AfterEach
    void close() {
        side.finishAndReleaseAll();
        peer.finishAndReleaseAll();
    }

    @Test
    void aReadBatchReachesThePeerInSendsOfAtMostTheLimit() {
        List<Long> reported = new ArrayList<>();
        side.pipeline().addLast(new TunnelHandler(peer, new LazyTimer(side.eventLoop(), side::close),
                TimeUnit.MINUTES.toNanos(1), reported::add, true, null));
        int third = MAX_BYTES_PER_SEND / 3 + 1;
        for (int i = 0; i < 5; i++) {
            side.writeOneInbound(Unpooled.wrappedBuffer(new byte[third]));
        }
        side.pipeline().fireChannelReadComplete();

        // Two buffers fit a send, a third would pass the limit: 2 + 2 + 1, the last at the end of the batch.
        assertEquals(List.of(2 * third, 2 * third, third), sends.bytesPerFlush);
        assertEquals(List.of(5L * third), reported, "the batch's bytes are counted once, at its end");
    }

    /** Everything written to {@code channel} so far, as one array; the buffers are released. */
    private static byte[] written(EmbeddedChannel channel) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object message = channel.readOutbound(); message != null; message = channel.readOutbound()) {
            ByteBuf buf = (ByteBuf) message;
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    @Test
    void onDrainEachSideGetsItsCloseBetweenFramesAndNothingAfterIt() {
        EmbeddedChannel client = new EmbeddedChannel();
        EmbeddedChannel sandbox = new EmbeddedChannel();
        try {
            LazyTimer idle = new LazyTimer(client.eventLoop(), client::close);
            long minute = TimeUnit.MINUTES.toNanos(1);
            client.pipeline().addLast(new TunnelHandler(sandbox, idle, minute, bytes -> { }, true, null));
            sandbox.pipeline().addLast(new TunnelHandler(client, idle, minute, bytes -> { }, false, null));
            byte[] toClient = FrameBoundariesTest.frame(2, 300, false);
            byte[] next = FrameBoundariesTest.frame(1, 5, false);

            sandbox.writeInbound(Unpooled.wrappedBuffer(toClient, 0, 100));
            client.pipeline().fireUserEventTriggered(ConnectionEvent.DRAIN);

            byte[] toSandbox = written(sandbox);
            assertEquals((byte) 0x88, toSandbox[0], "the sandbox's stream was between frames: its close went at once");
            assertEquals(0x80, toSandbox[1] & 0x80, "masked, as frames towards a server must be");
            int length = toSandbox[1] & 0x7f;
            byte[] code = {(byte) (toSandbox[6] ^ toSandbox[2]), (byte) (toSandbox[7] ^ toSandbox[3])};
            assertEquals(1001, ((code[0] & 0xff) << 8) | (code[1] & 0xff));
            assertEquals(6 + length, toSandbox.length);

            byte[] rest = new byte[toClient.length - 100 + next.length];
            System.arraycopy(toClient, 100, rest, 0, toClient.length - 100);
            System.arraycopy(next, 0, rest, toClient.length - 100, next.length);
            sandbox.writeInbound(Unpooled.wrappedBuffer(rest));
            byte[] toClientWritten = written(client);
            String reason = "gateway restarting, reconnect";
            byte[] expectedClose = {(byte) 0x88, (byte) (2 + reason.length()), 0x03, (byte) 0xf4};
            assertEquals(toClient.length + 4 + reason.length(), toClientWritten.length,
                    "the frame under way, whole, then the close; the next frame never follows the close");
            assertEquals(Arrays.toString(toClient),
                    Arrays.toString(Arrays.copyOf(toClientWritten, toClient.length)));
            assertEquals(Arrays.toString(expectedClose), Arrays.toString(
                    Arrays.copyOfRange(toClientWritten, toClient.length, toClient.length + 4)),
                    "1012, unmasked");
            assertEquals(reason, new String(toClientWritten, toClient.length + 4, reason.length(), StandardCharsets.UTF_8));
        } finally {
            client.finishAndReleaseAll();
            sandbox.finishAndReleaseAll();
        }
    }

    @Test
    void theClientsPongToTheGatewaysPingNeverReachesTheSandboxEvenSplitAcrossReads() {
        EmbeddedChannel client = new EmbeddedChannel();
        EmbeddedChannel sandbox = new EmbeddedChannel();
        try {
            LazyTimer idle = new LazyTimer(client.eventLoop(), client::close);
            TunnelPings pings = new TunnelPings(new LazyTimer(client.eventLoop(), () -> { }), TimeUnit.MINUTES.toNanos(1));
            long minute = TimeUnit.MINUTES.toNanos(1);
            client.pipeline().addLast(new TunnelHandler(sandbox, idle, minute, bytes -> { }, true, pings));
            TunnelHandler toClient = new TunnelHandler(client, idle, minute, bytes -> { }, false, pings);
            sandbox.pipeline().addLast(toClient);

            toClient.ping();
            byte[] ping = written(client);
            assertEquals("[-119, 15, 115, 97, 110, 100, 98, 111, 120, 45, 103, 97, 116, 101, 119, 97, 121]",
                    Arrays.toString(ping), "an unmasked ping carrying 'sandbox-gateway'");

            byte[] before = FrameBoundariesTest.frame(1, 20, true);
            byte[] pong = FrameBoundariesTest.frame(10, 15, true);
            byte[] after = FrameBoundariesTest.frame(2, 200, true);
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            stream.writeBytes(before);
            stream.writeBytes(pong);
            stream.writeBytes(after);
            byte[] bytes = stream.toByteArray();
            int split = before.length + 3;
            client.writeInbound(Unpooled.wrappedBuffer(bytes, 0, split));
            client.writeInbound(Unpooled.wrappedBuffer(bytes, split, bytes.length - split));
            client.pipeline().fireChannelReadComplete();

            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.writeBytes(before);
            expected.writeBytes(after);
            assertEquals(Arrays.toString(expected.toByteArray()), Arrays.toString(written(sandbox)),
                    "the frames around the pong, whole; the pong taken out");

            byte[] laterPong = FrameBoundariesTest.frame(10, 15, true);
            client.writeInbound(Unpooled.wrappedBuffer(laterPong));
            assertEquals(laterPong.length, written(sandbox).length, "a pong nobody is owed passes");
        } finally {
            client.finishAndReleaseAll();
            sandbox.finishAndReleaseAll();
        }
    }

    /** Counts the bytes of each flush. */
    private static final class SendsPerFlush extends ChannelOutboundHandlerAdapter {
        final List<Integer> bytesPerFlush = new ArrayList<>();
        private int unflushed;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            unflushed += ((ByteBuf) msg).readableBytes();
            ctx.write(msg, promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            if (unflushed > 0) {
                bytesPerFlush.add(unflushed);
                unflushed = 0;
            }
            ctx.flush();
        }
    }
}
