package dev.sandboxgateway.gateway.http;

import dev.sandboxgateway.routing.policy.GatewayError;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The gateway's own errors for gRPC calls: a trailers-only response (HTTP 200, one HEADERS frame
 * that ends the stream) with {@code grpc-status} and {@code grpc-message}, which is what gRPC
 * clients read; an HTTP error status would reach the application only as a generic UNKNOWN or
 * UNAVAILABLE.
 */
public final class GrpcErrors {

    static final int INVALID_ARGUMENT = 3;
    static final int DEADLINE_EXCEEDED = 4;
    static final int NOT_FOUND = 5;
    static final int PERMISSION_DENIED = 7;
    static final int RESOURCE_EXHAUSTED = 8;
    static final int FAILED_PRECONDITION = 9;
    static final int INTERNAL = 13;
    static final int UNAVAILABLE = 14;
    static final int UNAUTHENTICATED = 16;

    private GrpcErrors() {
    }

    public static FullHttpResponse render(GatewayError error, String message) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.EMPTY_BUFFER);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "application/grpc")
                .set("grpc-status", status(error))
                .set("grpc-message", percentEncode(message))
                .set(ErrorResponses.ERROR_HEADER, error.code());
        return response;
    }

    /** The gRPC status code that tells a client what it can do about {@code error} (retry, fix, give up). */
    static int status(GatewayError error) {
        // Every code is listed, so a new one does not compile until it has a gRPC status.
        return switch (error) {
            case INVALID_HOST, BAD_REQUEST, METHOD_NOT_ALLOWED, REQUEST_LINE_TOO_LONG, REQUEST_HEADERS_TOO_LARGE ->
                    INVALID_ARGUMENT;
            case SANDBOX_NOT_FOUND -> NOT_FOUND;
            case ACCESS_TOKEN_MISSING -> UNAUTHENTICATED;
            case ACCESS_TOKEN_INVALID, CLIENT_NOT_ALLOWED, PORT_NOT_ALLOWED -> PERMISSION_DENIED;
            case REQUEST_BODY_TOO_LARGE, RATE_LIMITED, TOO_MANY_CONNECTIONS, BACKEND_POOL_EXHAUSTED -> RESOURCE_EXHAUSTED;
            case REQUEST_HEADER_TIMEOUT, REQUEST_BODY_TIMEOUT, BACKEND_RESPONSE_TIMEOUT -> DEADLINE_EXCEEDED;
            case BACKEND_BAD_RESPONSE -> INTERNAL;
            // Retrying cannot help: the registry's record must change first.
            case BACKEND_IS_GATEWAY -> FAILED_PRECONDITION;
            case SANDBOX_PAUSED, SANDBOX_STARTING, SANDBOX_STOPPED, SANDBOX_WAKE_TIMEOUT, SANDBOX_WAKE_FAILED,
                    REGISTRY_UNAVAILABLE, BACKEND_CONNECTION_REFUSED, PORT_NOT_LISTENING, BACKEND_NAME_UNRESOLVED, BACKEND_CLOSED,
                    BACKEND_CONNECT_TIMEOUT -> UNAVAILABLE;
        };
    }

    /** grpc-message is percent-encoded UTF-8: every byte outside printable ASCII, and '%' itself. */
    static String percentEncode(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        StringBuilder encoded = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return encoded.toString();
    }
}
