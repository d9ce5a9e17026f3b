package dev.sandboxgateway.gateway.testing;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/** A misbehaving sandbox: on the first bytes of a request it writes a fixed answer, then does {@link Then}. */
public final class ScriptedResponder extends ChannelInboundHandlerAdapter {

    /** What happens after the answer is written. */
    public enum Then { HANG, CLOSE, RESET }

    private final byte[] answer;
    private final Then then;
    private boolean answered;

    public ScriptedResponder(String answer, Then then) {
        this.answer = answer.getBytes(StandardCharsets.ISO_8859_1);
        this.then = then;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        if (answered) {
            return;
        }
        answered = true;
        var written = ctx.writeAndFlush(Unpooled.wrappedBuffer(answer));
        switch (then) {
            case CLOSE -> written.addListener(ChannelFutureListener.CLOSE);
            case RESET -> written.addListener(f -> {
                ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                ctx.close();
            });
            case HANG -> { }
        }
    }
}
