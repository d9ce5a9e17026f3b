package dev.sandboxgateway.gateway.edge;

import dev.sandboxgateway.gateway.http.ErrorResponses;
import dev.sandboxgateway.gateway.metrics.GatewayMetrics;
import dev.sandboxgateway.gateway.request.Failure;
import dev.sandboxgateway.gateway.request.FailureMessages;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.HttpConversionUtil;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty's HTTP/2 frame codec with the gateway's error policy (docs/tls-and-http2.md, RFC 9113
 * section 5.4). Netty reports every frame for a stream that is no longer open as a stream error
 * STREAM_CLOSED; here it becomes what section 5.1 says it is, from {@link ClientStreamHistory}. A
 * frame Netty refuses on a stream the client has ended (half-closed remote) is STREAM_CLOSED too. A
 * stream error about stream 0, such as a connection window overflowing, is a connection error. A
 * header block over {@code server.maxHeaderSize} is answered 431 with the gateway's error
 * header and body, like every other error the gateway writes. Stream errors are logged at debug
 * with Netty's reason, which names the field or frame at fault.
 */
final class EdgeHttp2Codec extends Http2FrameCodec {

    private static final Logger log = LoggerFactory.getLogger(EdgeHttp2Codec.class);

    private final ClientStreamHistory history = new ClientStreamHistory();
    /** Set on a stream once its request head passed Netty's checks. */
    private final Http2Connection.PropertyKey requestRead;
    private final ErrorResponses errors;
    private final GatewayMetrics metrics;

    private EdgeHttp2Codec(Http2ConnectionEncoder encoder, Http2ConnectionDecoder decoder, Http2Settings settings,
                           boolean decoupleCloseAndGoAway, boolean flushPreface, ErrorResponses errors,
                           GatewayMetrics metrics) {
        super(encoder, decoder, settings, decoupleCloseAndGoAway, flushPreface);
        this.errors = errors;
        this.metrics = metrics;
        connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamAdded(Http2Stream stream) {
                if (connection().remote().isValidStreamId(stream.id())) {
                    history.opened(stream.id());
                }
            }

            @Override
            public void onStreamClosed(Http2Stream stream) {
                if (stream.isResetSent()) {
                    history.reset(stream.id());
                }
            }
        });
        this.requestRead = connection().newKey();
        decoder.frameListener(new Http2FrameListenerDecorator(decoder.frameListener()) {
            @Override
            public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                                      short weight, boolean exclusive, int padding, boolean endOfStream)
                    throws Http2Exception {
                markRequestRead(streamId);
                super.onHeadersRead(ctx, streamId, headers, streamDependency, weight, exclusive, padding, endOfStream);
            }

            @Override
            public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                      boolean endOfStream) throws Http2Exception {
                markRequestRead(streamId);
                super.onHeadersRead(ctx, streamId, headers, padding, endOfStream);
            }

            @Override
            public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) throws Http2Exception {
                history.reset(streamId);
                super.onRstStreamRead(ctx, streamId, errorCode);
            }
        });
    }

    /** Called for header blocks Netty has accepted; the first on a stream is its request head. */
    private void markRequestRead(int streamId) {
        Http2Stream stream = connection().stream(streamId);
        if (stream != null) {
            stream.setProperty(requestRead, Boolean.TRUE);
        }
    }

    /** A server-side builder of this codec; every other setting is Netty's builder's. */
    static Http2FrameCodecBuilder builder(ErrorResponses errors, GatewayMetrics metrics) {
        return new Builder(errors, metrics);
    }

    @Override
    public void onError(ChannelHandlerContext ctx, boolean outbound, Throwable cause) {
        Http2Exception embedded = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
        if (!outbound && embedded instanceof Http2Exception.StreamException streamError) {
            Http2Exception reclassified = reclassified(streamError);
            if (reclassified != null) {
                super.onError(ctx, false, reclassified);
                return;
            }
            log.debug("HTTP/2 client {}: stream {} refused: {}", ctx.channel(), streamError.streamId(),
                    streamError.getMessage());
        }
        super.onError(ctx, outbound, cause);
    }

    /** The error RFC 9113 gives a stream error Netty reported about a received frame, when it differs. */
    private @Nullable Http2Exception reclassified(Http2Exception.StreamException streamError) {
        int streamId = streamError.streamId();
        if (streamId == Http2CodecUtil.CONNECTION_STREAM_ID) {
            return Http2Exception.connectionError(streamError.error(), streamError, "%s", streamError.getMessage());
        }
        Http2Stream stream = connection().stream(streamId);
        if (stream != null) {
            // Netty checks a second HEADERS against the count of header blocks before the stream's state (section 5.1).
            // A stream opened by HEADERS that end it starts half-closed: only a frame after that request head is late.
            boolean late = stream.state() == Http2Stream.State.HALF_CLOSED_REMOTE && stream.getProperty(requestRead) != null;
            return late && streamError.error() != Http2Error.STREAM_CLOSED
                    ? Http2Exception.streamError(streamId, Http2Error.STREAM_CLOSED, streamError,
                            "a frame on stream %d after the client ended it: %s", streamId, streamError.getMessage())
                    : null;
        }
        if (streamError.error() != Http2Error.STREAM_CLOSED || !connection().remote().isValidStreamId(streamId)) {
            return null;
        }
        return switch (history.endingOf(streamId)) {
            case NEVER_OPENED -> Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR,
                    "stream %d is lower than a stream the client opened before it", streamId);
            case ENDED -> Http2Exception.connectionError(Http2Error.STREAM_CLOSED,
                    "a frame on stream %d after the stream ended", streamId);
            case RESET -> null;
        };
    }

    @Override
    protected void handleServerHeaderDecodeSizeError(ChannelHandlerContext ctx, Http2Stream stream) {
        // The block could not be read, so nothing says the client is a browser: the JSON answer.
        Failure failure = FailureMessages.headersTooLarge();
        FullHttpResponse response = errors.render(ctx.alloc(), failure.error(), failure.message(), null, null, false);
        encoder().writeHeaders(ctx, stream.id(), HttpConversionUtil.toHttp2Headers(response, false), 0, false,
                ctx.newPromise());
        encoder().writeData(ctx, stream.id(), response.content(), 0, true, ctx.newPromise());
        metrics.request(GatewayMetrics.Source.GATEWAY, failure.error().status(), 0);
        metrics.error(failure.error());
    }

    private static final class Builder extends Http2FrameCodecBuilder {
        private final ErrorResponses errors;
        private final GatewayMetrics metrics;

        Builder(ErrorResponses errors, GatewayMetrics metrics) {
            this.errors = errors;
            this.metrics = metrics;
            server(true);
        }

        @Override
        protected Http2FrameCodec build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                        Http2Settings initialSettings) {
            EdgeHttp2Codec codec = new EdgeHttp2Codec(encoder, decoder, initialSettings, decoupleCloseAndGoAway(),
                    flushPreface(), errors, metrics);
            codec.gracefulShutdownTimeoutMillis(gracefulShutdownTimeoutMillis());
            return codec;
        }
    }
}
