package dev.sandboxgateway.gateway.edge;

import dev.sandboxgateway.gateway.request.RequestRejectedException;
import dev.sandboxgateway.gateway.transport.DecodedHeaderNames;
import dev.sandboxgateway.gateway.transport.HttpCodecHandlers;
import dev.sandboxgateway.routing.policy.GatewayError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * {@code HttpServerCodec} with the checks a proxy needs on top of Netty's decoder, which already
 * refuses Content-Length beside Transfer-Encoding, differing or malformed lengths, bad chunk sizes,
 * bare LF and control characters in values. Added here, because a proxy that passes them on can
 * be used to smuggle a request past whatever sits behind it:
 * <ul>
 *   <li>obsolete line folding and whitespace before the first header (Netty would join the lines);</li>
 *   <li>any Transfer-Encoding other than exactly {@code chunked} (the codec re-frames the body, so
 *       another coding would reach the sandbox unannounced);</li>
 *   <li>more than one Host header, or none in HTTP/1.1;</li>
 *   <li>more header fields than configured (431).</li>
 * </ul>
 * A failed check marks the request's decoder result, so it is answered 400 (or 431) and the
 * connection closed, exactly like a failure Netty found. Header names are checked as the decoder
 * splits them off ({@link DecodedHeaderNames}), not by the headers on every later set.
 *
 * <p>The decoder also tells the connection's {@link ClientTimeouts} when bytes arrive: it is the
 * first handler to see them. For the same reason, on a socket that delays its acknowledgements
 * ({@link dev.sandboxgateway.gateway.transport.AckTiming}), it has the socket acknowledge at once
 * when a read leaves a request incomplete, so that a client holding back the rest until then is
 * not kept waiting.
 *
 * <p>The decoder and the encoder are two pipeline handlers ({@link HttpCodecHandlers}) sharing
 * one queue of request methods.
 */
final class StrictHttpServerCodec {

    /** Methods of requests whose responses have not started yet: a HEAD response has no body. */
    private final Queue<HttpMethod> methods = new ArrayDeque<>(4);
    private final Decoder decoder;
    private final Encoder encoder = new Encoder();

    /**
     * @param config from {@link DecodedHeaderNames#uncheckedHeaders}, made once per listener
     * @param ackNow has the socket acknowledge at once, where it delays its acknowledgements from the
     *               first byte; {@code null} where it does not
     */
    StrictHttpServerCodec(HttpDecoderConfig config, int maxHeaderCount, ClientTimeouts timeouts,
                          @Nullable Consumer<Channel> ackNow) {
        this.decoder = new Decoder(config, maxHeaderCount, timeouts, ackNow);
    }

    void addLast(ChannelPipeline pipeline) {
        HttpCodecHandlers.addLast(pipeline, decoder, encoder);
    }

    final class Decoder extends HttpRequestDecoder {

        private static final int BEFORE_REQUEST_LINE = 0;
        private static final int REQUEST_LINE = 1;
        private static final int LINE_START = 2;
        private static final int HEADER_LINE = 3;

        private final int maxHeaderCount;
        private final ClientTimeouts timeouts;
        private final @Nullable Consumer<Channel> ackNow;
        private boolean inHead = true;
        private int scan = BEFORE_REQUEST_LINE;
        private boolean folded;
        private boolean ackedAtOnce;

        Decoder(HttpDecoderConfig config, int maxHeaderCount, ClientTimeouts timeouts,
                @Nullable Consumer<Channel> ackNow) {
            super(config);
            this.maxHeaderCount = maxHeaderCount;
            this.timeouts = timeouts;
            this.ackNow = ackNow;
        }

        @Override
        protected AsciiString splitHeaderName(byte[] line, int start, int length) {
            return DecodedHeaderNames.split(line, start, length);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            timeouts.started(ctx.channel());
            super.channelActive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            timeouts.readArrived();
            super.channelRead(ctx, msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
            timeouts.readsDone();
            // Once per request: the socket then acknowledges at once until the gateway answers.
            if (ackNow != null && !ackedAtOnce && holdsPartOfRequest()) {
                ackedAtOnce = true;
                ackNow.accept(ctx.channel());
            }
            super.channelReadComplete(ctx);
        }

        /** Part of a head (whole lines, or a line's start still buffered), or a head whose body is still to come. */
        private boolean holdsPartOfRequest() {
            return !inHead || scan != BEFORE_REQUEST_LINE || actualReadableBytes() > 0;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            int start = buffer.readerIndex();
            int produced = out.size();
            super.decode(ctx, buffer, out);
            if (inHead && !folded) {
                // The decoder consumes a head line by line and returns as soon as the head is
                // complete, so the bytes it consumed while in a head are exactly head bytes.
                scanHead(buffer, start, buffer.readerIndex());
            }
            for (int i = produced; i < out.size(); i++) {
                Object message = out.get(i);
                if (message instanceof HttpRequest request) {
                    methods.add(request.method());
                    check(request);
                    inHead = false;
                }
                if (message instanceof LastHttpContent) {
                    inHead = true;
                    scan = BEFORE_REQUEST_LINE;
                    folded = false;
                    ackedAtOnce = false;
                }
            }
            joinBodyless(out, produced);
        }

        /**
         * Netty decodes a request without a body as its head and then the shared empty last content. Joined
         * into one {@link FullHttpRequest}, it crosses the pipeline once and leaves for the sandbox in one
         * write, instead of a second write and flush of nothing. A refused head stays as it is.
         */
        private static void joinBodyless(List<Object> out, int from) {
            if (out.size() == from + 2 && out.get(from + 1) == LastHttpContent.EMPTY_LAST_CONTENT
                    && out.get(from) instanceof HttpRequest head && !(head instanceof HttpContent)
                    && head.decoderResult().isSuccess()) {
                // The decoder validated the request line when it created the head.
                out.set(from, new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
                        Unpooled.EMPTY_BUFFER, head.headers(), LastHttpContent.EMPTY_LAST_CONTENT.trailingHeaders(),
                        false));
                out.remove(from + 1);
            }
        }

        private void scanHead(ByteBuf buffer, int from, int to) {
            for (int i = from; i < to && !folded; i++) {
                byte b = buffer.getByte(i);
                switch (scan) {
                    case BEFORE_REQUEST_LINE -> {
                        if (b != '\r' && b != '\n') {
                            scan = REQUEST_LINE;
                        }
                    }
                    case REQUEST_LINE, HEADER_LINE -> {
                        if (b == '\n') {
                            scan = LINE_START;
                        }
                    }
                    default -> {
                        if (b == ' ' || b == '\t') {
                            folded = true;
                        } else if (b != '\r' && b != '\n') {
                            scan = HEADER_LINE;
                        }
                    }
                }
            }
        }

        private void check(HttpRequest request) {
            if (request.decoderResult().isFailure()) {
                return;
            }
            RequestRejectedException problem = problem(request);
            if (problem != null) {
                request.setDecoderResult(DecoderResult.failure(problem));
            }
        }

        private @Nullable RequestRejectedException problem(HttpRequest request) {
            if (folded) {
                return new RequestRejectedException(GatewayError.BAD_REQUEST,
                        "a header line starts with whitespace (obsolete line folding is not accepted)");
            }
            HttpHeaders headers = request.headers();
            if (headers.size() > maxHeaderCount) {
                return new RequestRejectedException(GatewayError.REQUEST_HEADERS_TOO_LARGE,
                        "the request has " + headers.size() + " header fields; at most " + maxHeaderCount
                                + " are accepted");
            }
            // Counted by iterating, not by getAll: this runs for every request, and getAll builds a list.
            Iterator<? extends CharSequence> hosts = headers.valueCharSequenceIterator(HttpHeaderNames.HOST);
            if (!hosts.hasNext()) {
                if (request.protocolVersion().minorVersion() >= 1) {
                    return new RequestRejectedException(GatewayError.BAD_REQUEST, "an HTTP/1.1 request needs a Host header");
                }
            } else {
                hosts.next();
                if (hosts.hasNext()) {
                    return new RequestRejectedException(GatewayError.BAD_REQUEST, "the request has more than one Host header");
                }
            }
            if (!headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
                return null;
            }
            List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
            if (codings.size() > 1 || !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(codings.get(0).trim())) {
                return new RequestRejectedException(GatewayError.BAD_REQUEST,
                        "Transfer-Encoding must be exactly 'chunked', was '" + String.join(", ", codings) + "'");
            }
            return null;
        }
    }

    final class Encoder extends HttpResponseEncoder {

        @Override
        protected void encodeInitialLine(ByteBuf buf, HttpResponse response) throws Exception {
            byte[] line = StatusLines.of(response.protocolVersion(), response.status());
            if (line == null) {
                super.encodeInitialLine(buf, response);
            } else {
                buf.writeBytes(line);
            }
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse response) {
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL
                    && response.status().code() != 101) {
                return super.isContentAlwaysEmpty(response);
            }
            HttpMethod method = methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(response);
        }
    }
}
