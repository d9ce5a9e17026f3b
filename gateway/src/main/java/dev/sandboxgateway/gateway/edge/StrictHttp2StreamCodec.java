package dev.sandboxgateway.gateway.edge;

import dev.sandboxgateway.gateway.http.HopByHopHeaders;
import dev.sandboxgateway.gateway.request.RequestRejectedException;
import dev.sandboxgateway.routing.policy.GatewayError;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns an HTTP/2 stream into HTTP/1.1 objects for the exchange, with a request head built and
 * checked here rather than by Netty's conversion. The head is relayed to the sandbox as HTTP/1.1
 * text, where a method or path with a space or control character in it would end the request
 * line early and let a client write a request of its own choosing onto a pooled backend
 * connection; a head that cannot be written safely becomes a refused stand-in request, answered
 * 400 on its stream like a refused HTTP/1.1 request, and nothing of it reaches the sandbox.
 *
 * <p>The frame codec has already refused header names that are not lower-case tokens, values with
 * CR, LF or NUL, and connection-specific fields, so the headers are copied without checking them
 * again. A request whose HEADERS end the stream becomes its head and an empty last content, with
 * no buffer to release. Netty's {@code x-http2-*} extension headers are neither added nor passed
 * on: they describe the gateway's side of the connection, and a client could send them itself.
 *
 * <p>A response head is turned into HTTP/2 headers here too, without Netty's second pass over
 * what {@link HopByHopHeaders} already removed. Data frames, request trailers, interim responses
 * and a response that still names fields in {@code Connection} are Netty's conversion, unchanged.
 */
@ChannelHandler.Sharable
final class StrictHttp2StreamCodec extends Http2StreamFrameToHttpObjectCodec {

    private static final HttpHeadersFactory COPIED_HEADERS = DefaultHttpHeadersFactory.headersFactory()
            .withValidation(false);
    private static final String EXTENSION_PREFIX = "x-http2-";

    private final int maxHeaderCount;

    /** @param maxHeaderCount most header fields a request may have ({@code server.maxHeaderCount}), as over HTTP/1.1 */
    StrictHttp2StreamCodec(int maxHeaderCount) {
        super(true);
        this.maxHeaderCount = maxHeaderCount;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Http2StreamFrame frame, List<Object> out) throws Exception {
        if (frame instanceof Http2HeadersFrame head && head.headers().method() != null) {
            HttpRequest request = toRequest(head.headers(), head.isEndStream());
            out.add(request);
            if (head.isEndStream() && request.decoderResult().isSuccess()) {
                out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            }
            return;
        }
        super.decode(ctx, frame, out);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, HttpObject message, List<Object> out) throws Exception {
        if (!(message instanceof HttpResponse response) || response.status().codeClass() == HttpStatusClass.INFORMATIONAL
                || response.headers().contains(HttpHeaderNames.CONNECTION)) {
            super.encode(ctx, message, out);
            return;
        }
        Http2Headers headers = toHttp2Headers(response);
        if (!(message instanceof FullHttpResponse full)) {
            out.add(new DefaultHttp2HeadersFrame(headers, false));
            return;
        }
        boolean headersOnly = !full.content().isReadable() && full.trailingHeaders().isEmpty();
        out.add(new DefaultHttp2HeadersFrame(headers, headersOnly));
        if (!headersOnly) {
            super.encode(ctx, new DefaultLastHttpContent(full.content(), full.trailingHeaders()), out);
        }
    }

    /**
     * A response head as HTTP/2 headers. Its hop-by-hop fields are gone already ({@link HopByHopHeaders}),
     * and the names come from the sandbox connection's decoder or the gateway, so they are lower-cased
     * but not validated again; connection-specific fields the HTTP/1.1 framing needed are left out.
     */
    private static Http2Headers toHttp2Headers(HttpResponse response) {
        HttpHeaders fields = response.headers();
        Http2Headers headers = new DefaultHttp2Headers(false, fields.size() + 1);
        headers.status(response.status().codeAsText());
        Iterator<Map.Entry<CharSequence, CharSequence>> iterator = fields.iteratorCharSequence();
        while (iterator.hasNext()) {
            Map.Entry<CharSequence, CharSequence> field = iterator.next();
            AsciiString name = AsciiString.of(field.getKey()).toLowerCase();
            if (!isConnectionSpecific(name)) {
                headers.add(name, field.getValue());
            }
        }
        return headers;
    }

    private static boolean isConnectionSpecific(AsciiString name) {
        return HttpHeaderNames.TRANSFER_ENCODING.contentEquals(name) || HopByHopHeaders.KEEP_ALIVE.contentEquals(name)
                || HopByHopHeaders.PROXY_CONNECTION.contentEquals(name) || HttpHeaderNames.UPGRADE.contentEquals(name)
                || HttpHeaderNames.HOST.contentEquals(name);
    }

    private HttpRequest toRequest(Http2Headers http2, boolean endStream) {
        HttpMethod method;
        try {
            method = HttpMethod.valueOf(http2.method().toString());
        } catch (IllegalArgumentException e) {
            return refused(GatewayError.BAD_REQUEST, "the :method pseudo-header '" + http2.method() + "' is not a method name");
        }
        CharSequence authority = http2.authority();
        String target;
        if (HttpMethod.CONNECT.equals(method)) {
            // Present: the frame codec resets a CONNECT request without one (RFC 9113 section 8.5).
            target = Objects.requireNonNull(authority).toString();
        } else {
            // Present and non-empty: the frame codec resets a request without :scheme or :path (RFC 9113 section 8.3.1).
            CharSequence path = Objects.requireNonNull(http2.path());
            if (!isOriginOrAsterisk(path)) {
                return refused(GatewayError.BAD_REQUEST, "the :path pseudo-header must be a path starting with '/' (or '*') "
                        + "without spaces or control characters");
            }
            target = path.toString();
        }
        HttpHeaders headers = COPIED_HEADERS.newHeaders();
        if (authority != null) {
            headers.add(HttpHeaderNames.HOST, authority);
        }
        StringBuilder cookies = null;
        for (Map.Entry<CharSequence, CharSequence> field : http2) {
            CharSequence name = field.getKey();
            CharSequence value = field.getValue();
            if (name.length() > 0 && name.charAt(0) == ':') {
                continue;
            }
            if (HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)) {
                // One Host for the sandbox, and the one routed on (RFC 9113 section 8.3.1).
                if (authority == null) {
                    authority = value;
                    headers.add(HttpHeaderNames.HOST, value);
                } else if (!AsciiString.contentEqualsIgnoreCase(authority, value)) {
                    return refused(GatewayError.BAD_REQUEST, "the Host header '" + value + "' does not match the :authority '" + authority + "'");
                }
            } else if (HttpHeaderNames.COOKIE.contentEqualsIgnoreCase(name)) {
                // HTTP/2 may split cookies into several fields; HTTP/1.1 allows one (RFC 9113 section 8.2.3).
                cookies = cookies == null ? new StringBuilder(value) : cookies.append("; ").append(value);
            } else if (!startsWithIgnoreCase(name, EXTENSION_PREFIX)
                    && !HttpHeaderNames.TRAILER.contentEqualsIgnoreCase(name)) {
                headers.add(name, value);
            }
        }
        if (cookies != null) {
            headers.add(HttpHeaderNames.COOKIE, cookies.toString());
        }
        if (headers.size() > maxHeaderCount) {
            return refused(GatewayError.REQUEST_HEADERS_TOO_LARGE, "the request has " + headers.size()
                    + " header fields; at most " + maxHeaderCount + " are accepted");
        }
        if (!endStream && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            // A body of unannounced length: chunked is how HTTP/1.1 carries it to the sandbox.
            headers.add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, target, headers, false);
    }

    /** An origin-form path or {@code *}, every character visible ASCII or beyond (RFC 9113 section 8.3.1). */
    private static boolean isOriginOrAsterisk(CharSequence path) {
        char first = path.charAt(0);
        if (first != '/' && !(first == '*' && path.length() == 1)) {
            return false;
        }
        for (int i = 1; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static HttpRequest refused(GatewayError error, String why) {
        HttpRequest standIn = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        standIn.setDecoderResult(DecoderResult.failure(new RequestRejectedException(error, why)));
        return standIn;
    }

    private static boolean startsWithIgnoreCase(CharSequence name, String prefix) {
        return name.length() >= prefix.length()
                && AsciiString.regionMatches(name, true, 0, prefix, 0, prefix.length());
    }
}
