package dev.sandboxgateway.gateway.backend;

import dev.sandboxgateway.gateway.transport.DecodedHeaderNames;
import dev.sandboxgateway.gateway.transport.HttpCodecHandlers;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code HttpClientCodec} for pooled sandbox connections, with one more rule: a byte from the
 * sandbox while no request is outstanding closes the connection. Without it, bytes a sandbox sends
 * past the end of its response (a wrong Content-Length, a second response) would sit in the
 * decoder and be read as the answer to the next request on that pooled connection.
 *
 * <p>Like the client side's codec, two pipeline handlers ({@link HttpCodecHandlers}) sharing the
 * queue of outstanding methods, and header names checked as the decoder splits them off
 * ({@link DecodedHeaderNames}).
 */
final class BackendHttpCodec {

    private static final Logger log = LoggerFactory.getLogger(BackendHttpCodec.class);

    /** Methods of requests whose final responses have not completed, in order. */
    private final Queue<HttpMethod> outstanding = new ArrayDeque<>(2);
    private final Decoder decoder;
    private final Encoder encoder = new Encoder();

    /** @param config from {@link DecodedHeaderNames#uncheckedHeaders}, made once per pool */
    BackendHttpCodec(HttpDecoderConfig config) {
        this.decoder = new Decoder(config);
    }

    void addLast(ChannelPipeline pipeline) {
        HttpCodecHandlers.addLast(pipeline, decoder, encoder);
    }

    final class Encoder extends HttpRequestEncoder {

        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof HttpRequest request) {
                outstanding.add(request.method());
            }
            super.encode(ctx, msg, out);
        }
    }

    final class Decoder extends HttpResponseDecoder {

        /** The method of the request whose response is being decoded, once its final head arrived. */
        private @Nullable HttpMethod answering;
        private boolean upgraded;

        Decoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected AsciiString splitHeaderName(byte[] line, int start, int length) {
            return DecodedHeaderNames.split(line, start, length);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            if (!upgraded && outstanding.isEmpty() && answering == null && buffer.isReadable()) {
                log.debug("closing {}: the sandbox sent {} bytes with no request outstanding", ctx.channel(),
                        buffer.readableBytes());
                buffer.skipBytes(buffer.readableBytes());
                ctx.close();
                return;
            }
            int produced = out.size();
            super.decode(ctx, buffer, out);
            if (out.size() == produced + 1 && isFinalHead(out.get(produced)) && buffer.isReadable()) {
                // Netty returns after a head; what it would decode next is taken now, so a body that came in
                // the same read joins its head below.
                super.decode(ctx, buffer, out);
            }
            joinHeadAndBody(out, produced);
            for (int i = produced; i < out.size(); i++) {
                if (out.get(i) instanceof LastHttpContent && answering != null) {
                    answering = null;
                }
            }
        }

        /**
         * A final head followed by the whole of its body becomes one {@link FullHttpResponse} holding the same
         * buffers: the client side then writes it as one message, and its encoder copies a small body into the
         * head's buffer, so a small response leaves in one send instead of a gathering write of two. Nothing
         * waits for a body here; only what one read already delivered is joined.
         */
        private void joinHeadAndBody(List<Object> out, int from) {
            if (out.size() == from + 2 && isFinalHead(out.get(from))
                    && out.get(from + 1) instanceof LastHttpContent body) {
                HttpResponse head = (HttpResponse) out.get(from);
                FullHttpResponse joined = new DefaultFullHttpResponse(head.protocolVersion(), head.status(),
                        body.content(), head.headers(), body.trailingHeaders());
                out.set(from, joined);
                out.remove(from + 1);
            }
        }

        private static boolean isFinalHead(Object message) {
            return message instanceof HttpResponse head && !(message instanceof HttpContent)
                    && head.decoderResult().isSuccess() && head.status().code() >= 200;
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage message) {
            int status = ((HttpResponse) message).status().code();
            if (status >= 100 && status < 200 && status != 101) {
                // An interim response: the final one for the same request is still to come.
                return super.isContentAlwaysEmpty(message);
            }
            answering = outstanding.poll();
            if (status == 101) {
                upgraded = true;
            }
            return HttpMethod.HEAD.equals(answering) || super.isContentAlwaysEmpty(message);
        }
    }
}
