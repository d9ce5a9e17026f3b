package dev.sandboxgateway.gateway.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** The plain listener's answer when {@code tls.redirectHttp} is on: the same URL over https. */
public final class HttpsRedirect {

    private HttpsRedirect() {
    }

    /** A 308, so a POST stays a POST with its body (a 301 lets clients turn it into a GET). */
    public static FullHttpResponse to(String location) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.PERMANENT_REDIRECT, Unpooled.EMPTY_BUFFER);
        response.headers()
                .set(HttpHeaderNames.LOCATION, location)
                .set(HttpHeaderNames.CONTENT_LENGTH, 0);
        return response;
    }
}
