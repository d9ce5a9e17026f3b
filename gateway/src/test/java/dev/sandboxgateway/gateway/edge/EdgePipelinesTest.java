package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.config.GatewayConfig;
import dev.sandboxgateway.gateway.request.ClientLimits;
import dev.sandboxgateway.gateway.request.TrustedProxies;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** How a client connection's pipeline starts, before any byte is read. */
@Tag("unit")
class EdgePipelinesTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final EdgeContext edge = new EdgeContext(null, null, new EdgeContext.Live(null, ClientLimits.NONE,
            new GatewayConfig.Timeouts(MINUTE, MINUTE, MINUTE, MINUTE), Duration.ZERO, new TrustedProxies(List.of()),
                Duration.ZERO));

    @Test
    void aConnectionWhoseClientIsAlreadyGoneIsClosedWithNothingSetUp() {
        for (ChannelHandler initializer : List.of(pipelines(false).plain(), pipelines(true).plain(),
                pipelines(false).tls())) {
            EmbeddedChannel channel = new PeerlessChannel(initializer);

            assertFalse(channel.isOpen());
            assertEquals(List.of(), channel.pipeline().names().stream()
                    .filter(name -> !name.startsWith("DefaultChannelPipeline$TailContext")).toList());
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aConnectionWithAPeerGetsItsPipeline() {
        EmbeddedChannel channel = new EmbeddedChannel(pipelines(true).plain());

        assertTrue(channel.isOpen());
        assertTrue(channel.pipeline().names().contains("h2c-detect"), channel.pipeline().names().toString());
        channel.finishAndReleaseAll();
    }

    @Test
    void aClientThatFailsBeforeItsProtocolIsKnownIsClosedWithoutTheFailureReachingThePipelineTail() {
        for (Throwable failure : List.of(new IOException("Connection reset by peer"),
                new HAProxyProtocolException("invalid header"))) {
            EmbeddedChannel channel = new EmbeddedChannel(pipelines(true).plain());

            channel.pipeline().fireExceptionCaught(failure);

            channel.checkException();
            assertFalse(channel.isOpen(), failure.toString());
            channel.finishAndReleaseAll();
        }
    }

    private EdgePipelines pipelines(boolean http2Cleartext) {
        return new EdgePipelines(edge, new EdgePipelines.Settings(new HttpDecoderConfig(), 100, false, http2Cleartext,
                100, 65535, 8192, Duration.ofSeconds(10), false), null);
    }

    /** What io_uring's accept hands over when the client reset the connection before Netty asked for its address. */
    private static final class PeerlessChannel extends EmbeddedChannel {
        PeerlessChannel(ChannelHandler initializer) {
            super(initializer);
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return null;
        }
    }
}
