package dev.sandboxgateway.gateway.edge;

import dev.sandboxgateway.gateway.request.TrustedProxies;
import dev.sandboxgateway.gateway.tls.HandshakeCounter;
import dev.sandboxgateway.gateway.tls.TlsCertificates;
import dev.sandboxgateway.gateway.transport.AckTiming;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SniHandler;
import java.time.Duration;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles client pipelines, the one place that knows their layout. Every connection starts with
 * the PROXY protocol decoder when configured, then TLS on the TLS listener; what follows is HTTP/1.1
 * ({@code http-decoder}, {@code http-encoder}, {@code client}) or HTTP/2 ({@code h2} frame codec,
 * {@code h2-flush}, {@code h2-streams} multiplexer, {@code h2-connection}), each stream getting its
 * own {@code h2-http} and {@code client}. A connection whose client is already gone gets nothing.
 */
final class EdgePipelines {

    private static final Logger log = LoggerFactory.getLogger(EdgePipelines.class);

    /** The name of an HTTP/2 connection's frame codec. */
    static final String HTTP2_CODEC = "h2";

    /**
     * Settings of both listeners that shape pipelines.
     *
     * @param plainAcksDelayed the plain listener's sockets delay their acknowledgements from the first
     *                         byte ({@link AckTiming}), so its HTTP/1.1 decoder must ask for one as soon
     *                         as it holds part of a request
     */
    record Settings(HttpDecoderConfig decoder, int maxHeaderCount, boolean proxyProtocol, boolean http2Cleartext,
                    int maxConcurrentStreams, int initialWindowSize, long maxHeaderListSize,
                    Duration gracefulShutdown, boolean plainAcksDelayed) {
    }

    private final EdgeContext edge;
    private final Settings settings;
    private final @Nullable TlsCertificates certificates;
    private final ChannelHandler streamCodec;

    /** @param certificates what the TLS listener serves, or {@code null} without one */
    EdgePipelines(EdgeContext edge, Settings settings, @Nullable TlsCertificates certificates) {
        this.edge = edge;
        this.settings = settings;
        this.certificates = certificates;
        this.streamCodec = new StrictHttp2StreamCodec(settings.maxHeaderCount());
    }

    /** The plain listener: HTTP/1.1, or HTTP/2 with prior knowledge when {@code http2.cleartext} is on. */
    ChannelInitializer<Channel> plain() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                if (goneBeforeSetUp(ch)) {
                    return;
                }
                ChannelPipeline pipeline = ch.pipeline();
                addProxyProtocol(pipeline);
                if (settings.http2Cleartext()) {
                    pipeline.addLast("h2c-detect", new PriorKnowledgeDetector(EdgePipelines.this,
                            edge.timeouts().requestHeader().toNanos()));
                } else {
                    addHttp1(pipeline, false, settings.plainAcksDelayed() ? AckTiming::ackNow : null);
                }
            }
        };
    }

    /** The TLS listener: certificate by SNI, then HTTP/2 or HTTP/1.1 by ALPN. */
    ChannelInitializer<Channel> tls() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                if (goneBeforeSetUp(ch)) {
                    return;
                }
                ChannelPipeline pipeline = ch.pipeline();
                addProxyProtocol(pipeline);
                pipeline.addLast("tls", new SniHandler(certificates, 0, edge.timeouts().requestHeader().toMillis()));
                pipeline.addLast("tls-handshake", new HandshakeCounter(edge.requestPath().metrics()));
                pipeline.addLast("alpn", new AlpnHandler(EdgePipelines.this));
            }
        };
    }

    /**
     * Closes a connection whose peer address is unknown. io_uring's multishot accept returns no
     * address, so Netty asks the socket for it; a client that reset the connection before that has
     * none. Nothing can be served without it: access rules and forwarding headers need the client's
     * address, and the client is gone anyway.
     */
    private static boolean goneBeforeSetUp(Channel ch) {
        if (ch.remoteAddress() != null) {
            return false;
        }
        log.debug("closing {}: the client reset the connection before it was set up", ch);
        ch.close();
        return true;
    }

    private void addProxyProtocol(ChannelPipeline pipeline) {
        if (settings.proxyProtocol()) {
            pipeline.addLast("proxy-protocol-decoder", new HAProxyMessageDecoder());
            pipeline.addLast("proxy-protocol", new ProxyProtocolHandler(edge.trustedProxies()));
        }
    }

    void addHttp1(ChannelPipeline pipeline, boolean secure) {
        addHttp1(pipeline, secure, null);
    }

    private void addHttp1(ChannelPipeline pipeline, boolean secure, @Nullable Consumer<Channel> ackNow) {
        // Named handlers: Netty would otherwise build and check a generated name for each, on every connection.
        ClientTimeouts timeouts = ClientTimeouts.forConnection(edge);
        new StrictHttpServerCodec(settings.decoder(), settings.maxHeaderCount(), timeouts, ackNow)
                .addLast(pipeline);
        pipeline.addLast("client", new ClientHandler(edge, timeouts, secure, null));
    }

    void addHttp2(ChannelPipeline pipeline, boolean secure) {
        Http2ClientConnection connection = new Http2ClientConnection(edge, 4 * settings.initialWindowSize());
        // Required pseudo-headers checked by the codec: a request without them is malformed, reset on its stream.
        pipeline.addLast(HTTP2_CODEC, EdgeHttp2Codec.builder(edge.requestPath().errors(), edge.requestPath().metrics())
                .validateRequiredPseudoHeaders(true)
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(settings.maxConcurrentStreams())
                        .initialWindowSize(settings.initialWindowSize())
                        .maxHeaderListSize(settings.maxHeaderListSize()))
                .gracefulShutdownTimeoutMillis(settings.gracefulShutdown().toMillis())
                .build());
        // A stream's response is written when its sandbox answers, outside any read of this connection,
        // and the multiplexer flushes the connection for each stream: a TLS record and a send per
        // response. Flushed at the end of the event loop's turn, the streams answered in one turn share them.
        pipeline.addLast("h2-flush", new FlushConsolidationHandler(
                FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        pipeline.addLast("h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                ChannelPipeline streamPipeline = stream.pipeline();
                streamPipeline.addLast("h2-http", streamCodec);
                streamPipeline.addLast("client", new ClientHandler(edge, ClientTimeouts.forStream(edge), secure, connection));
            }
        }));
        pipeline.addLast("h2-connection", connection);
    }
}
