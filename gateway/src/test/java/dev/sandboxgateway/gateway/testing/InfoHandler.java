package dev.sandboxgateway.gateway.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Answers every request with what it received, one {@code key=value} per line: its name, method,
 * URI, every header, the body length and the body's SHA-256 (hashed as it streams in, never held).
 */
public final class InfoHandler extends ChannelInboundHandlerAdapter {

    private final String name;
    private final Collection<String> requests;
    private HttpRequest request;
    private StreamingDigest digest;

    public InfoHandler(String name) {
        this(name, new ConcurrentLinkedQueue<>());
    }

    /** @param requests collects the URI of every request head this handler receives */
    public InfoHandler(String name, Collection<String> requests) {
        this.name = name;
        this.requests = requests;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest r) {
            requests.add(r.uri());
            request = r;
            digest = new StreamingDigest();
        }
        if (msg instanceof HttpContent content) {
            digest.update(content.content());
            content.release();
            if (content instanceof LastHttpContent) {
                respond(ctx);
            }
        }
    }

    private void respond(ChannelHandlerContext ctx) {
        StringBuilder body = new StringBuilder()
                .append("backend=").append(name).append('\n')
                .append("method=").append(request.method()).append('\n')
                .append("uri=").append(request.uri()).append('\n')
                .append("version=").append(request.protocolVersion()).append('\n')
                .append("body-bytes=").append(digest.bytes()).append('\n')
                .append("body-sha256=").append(digest.hex()).append('\n');
        for (Map.Entry<String, String> header : request.headers()) {
            body.append("header.").append(header.getKey().toLowerCase()).append('=').append(header.getValue()).append('\n');
        }
        ByteBuf content = ByteBufUtil.writeUtf8(ctx.alloc(), body);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.headers().set("X-Backend", name);
        HttpUtil.setContentLength(response, content.readableBytes());
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Parses a response body produced by this handler. */
    public static Map<String, String> parse(byte[] body) {
        Map<String, String> values = new java.util.LinkedHashMap<>();
        for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.merge(line.substring(0, eq), line.substring(eq + 1), (a, b) -> a + "," + b);
            }
        }
        return values;
    }
}
