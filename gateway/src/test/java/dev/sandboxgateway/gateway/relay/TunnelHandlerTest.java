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
import java.util.ArrayList;
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
                TimeUnit.MINUTES.toNanos(1), reported::add));
        int third = MAX_BYTES_PER_SEND / 3 + 1;
        for (int i = 0; i < 5; i++) {
            side.writeOneInbound(Unpooled.wrappedBuffer(new byte[third]));
        }
        side.pipeline().fireChannelReadComplete();

        // Two buffers fit a send, a third would pass the limit: 2 + 2 + 1, the last at the end of the batch.
        assertEquals(List.of(2 * third, 2 * third, third), sends.bytesPerFlush);
        assertEquals(List.of(5L * third), reported, "the batch's bytes are counted once, at its end");
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
