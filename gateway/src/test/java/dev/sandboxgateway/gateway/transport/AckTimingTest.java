package dev.sandboxgateway.gateway.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.config.Transport;
import dev.sandboxgateway.gateway.testing.NativeTransports;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.IntegerUnixChannelOption;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the kernel reports as {@code TCP_QUICKACK} on sockets a listener accepted: 1 while the socket
 * acknowledges at once, 0 while it delays its acknowledgements.
 */
class AckTimingTest {

    private static final IntegerUnixChannelOption TCP_QUICKACK = new IntegerUnixChannelOption("TCP_QUICKACK", 6, 12);

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING"})
    void anAcceptedSocketDelaysFromTheStartUntilAskedToAckNow(Transport kind) throws Exception {
        NativeTransports.assumeAvailable(kind);
        assertEquals(List.of(0, 1), quickAckOnAccept(kind, true));
    }

    /** Without the listener's setting a new connection acknowledges at once: the case the setting is there to change. */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING"})
    void anAcceptedSocketOfAPlainListenerAcksAtOnce(Transport kind) throws Exception {
        NativeTransports.assumeAvailable(kind);
        assertEquals(1, quickAckOnAccept(kind, false).get(0));
    }

    @Test
    void nioCannotDelay() throws Exception {
        NettyTransport transport = NettyTransport.select(Transport.NIO);
        EventLoopGroup group = transport.newGroup(1, "ack-timing-test");
        try {
            Channel listener = transport.serverBootstrap(group).childHandler(new ChannelInboundHandlerAdapter())
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            assertFalse(AckTiming.delayOnAccepted(listener));
            listener.close().sync();
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * {@code TCP_QUICKACK} of a socket accepted from a listener, read when it becomes active (before
     * it receives anything, so no delayed-ACK timer can have changed it), then after {@link AckTiming#ackNow}.
     */
    private static List<Integer> quickAckOnAccept(Transport kind, boolean delayed) throws Exception {
        NettyTransport transport = NettyTransport.select(kind);
        EventLoopGroup group = transport.newGroup(1, "ack-timing-test");
        CompletableFuture<List<Integer>> seen = new CompletableFuture<>();
        try {
            Channel listener = transport.serverBootstrap(group)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            int atStart = ctx.channel().config().getOption(TCP_QUICKACK);
                            AckTiming.ackNow(ctx.channel());
                            seen.complete(List.of(atStart, ctx.channel().config().getOption(TCP_QUICKACK)));
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            if (delayed) {
                assertTrue(AckTiming.delayOnAccepted(listener));
            }
            Socket client = new Socket("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort());
            try {
                return seen.get(10, TimeUnit.SECONDS);
            } finally {
                client.close();
                listener.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }
}
