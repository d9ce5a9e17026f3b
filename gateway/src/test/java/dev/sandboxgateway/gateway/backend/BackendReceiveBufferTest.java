package dev.sandboxgateway.gateway.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sandboxgateway.config.Transport;
import dev.sandboxgateway.gateway.testing.NativeTransports;
import dev.sandboxgateway.gateway.transport.NettyTransport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Connections to sandboxes get the configured receive buffer, on every transport, before they connect. */
class BackendReceiveBufferTest {

    private static BackendPool.Limits limits(int receiveBufferSize) {
        long second = TimeUnit.SECONDS.toNanos(1);
        return new BackendPool.Limits(1, 1, second, second, second, 64 * 1024, receiveBufferSize);
    }

    /**
     * The kernel's SO_RCVBUF of a connected socket. The JDK's NIO sockets report half of it, undoing
     * the doubling Linux applies to a requested size to leave room for its bookkeeping (socket(7)).
     */
    private static int receiveBufferOfConnection(Transport kind, BackendPool.Limits limits) throws Exception {
        NettyTransport transport = NettyTransport.select(kind);
        EventLoopGroup group = transport.newGroup(1, "receive-buffer-test");
        try (ServerSocket sandbox = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Channel channel = BackendPool.connectTemplate(transport, limits).clone(group)
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(sandbox.getLocalSocketAddress()).sync().channel();
            try {
                int reported = channel.config().getOption(ChannelOption.SO_RCVBUF);
                return kind == Transport.NIO ? 2 * reported : reported;
            } finally {
                channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void aConfiguredSizeIsWhatTheSocketGets(Transport kind) throws Exception {
        NativeTransports.assumeAvailable(kind);
        assertEquals(2 * 24 * 1024, receiveBufferOfConnection(kind, limits(24 * 1024)));
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void zeroLeavesTheKernelsDefault(Transport kind) throws Exception {
        NativeTransports.assumeAvailable(kind);
        // readString stops early on procfs, whose files claim a size of 0.
        String[] tcpRmem = Files.readAllLines(Path.of("/proc/sys/net/ipv4/tcp_rmem")).get(0).trim().split("\\s+");
        assertEquals(Integer.parseInt(tcpRmem[1]), receiveBufferOfConnection(kind, limits(0)));
    }
}
