package dev.sandboxgateway.gateway.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A stand-in for a sandbox's dev server: an HTML page whose script opens a WebSocket back to its
 * own host and fetches a JSON API with a custom header and a POST body, a stylesheet, a cookie
 * setter and reader, and a CORS endpoint that records every preflight it receives.
 */
public final class DevServerBackend {

    static final String PAGE = """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>Dev server</title>
            <link rel="stylesheet" href="/static/app.css"></head>
            <body>
            <h1 id="title">Dev server</h1>
            <p>WebSocket: <span id="ws">connecting</span></p>
            <p>API: <span id="api">loading</span></p>
            <script>
            const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
            ws.onopen = () => ws.send('hello from the page');
            ws.onmessage = e => { document.getElementById('ws').textContent = e.data; };
            ws.onerror = () => { document.getElementById('ws').textContent = 'websocket error'; };
            fetch('/api/echo', {method: 'POST', headers: {'Content-Type': 'application/json', 'X-Dev-Header': 'sandbox-42'},
                                body: JSON.stringify({n: 7})})
              .then(r => r.json())
              .then(j => { document.getElementById('api').textContent = 'header=' + j.header + ' body=' + j.body; })
              .catch(e => { document.getElementById('api').textContent = 'fetch error ' + e; });
            </script>
            </body></html>
            """;

    /** The requests for the CORS endpoint as "METHOD origin requested-method", preflights included. */
    public final Queue<String> corsRequests = new ConcurrentLinkedQueue<>();
    private final TestBackend server;

    private DevServerBackend() throws InterruptedException {
        server = TestBackend.http(() -> new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpObjectAggregator(1 << 20));
                ch.pipeline().addLast(new WebSocketServerProtocolHandler("/ws"));
                ch.pipeline().addLast(new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                        ctx.writeAndFlush(new TextWebSocketFrame("echo: " + frame.text()));
                    }
                });
                ch.pipeline().addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                        ctx.writeAndFlush(answer(ctx, request));
                    }
                });
            }
        });
    }

    public static DevServerBackend start() throws InterruptedException {
        return new DevServerBackend();
    }

    public int port() {
        return server.port();
    }

    public void close() {
        server.close();
    }

    private FullHttpResponse answer(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = request.uri().split("\\?")[0];
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        switch (path) {
            case "/":
                return response(ctx, HttpResponseStatus.OK, "text/html; charset=utf-8", PAGE);
            case "/static/app.css":
                return response(ctx, HttpResponseStatus.OK, "text/css", "#title { color: rgb(1, 2, 3); }");
            case "/api/echo":
                return response(ctx, HttpResponseStatus.OK, "application/json", "{\"header\":\""
                        + request.headers().get("X-Dev-Header") + "\",\"body\":"
                        + quote(request.content().toString(StandardCharsets.UTF_8)) + "}");
            case "/set-cookie": {
                FullHttpResponse response = response(ctx, HttpResponseStatus.OK, "text/plain", "cookie set");
                response.headers().set(HttpHeaderNames.SET_COOKIE, "app_session=" + request.headers().get("Host")
                        .split("\\.")[0] + "; Path=/");
                return response;
            }
            case "/whoami":
                return response(ctx, HttpResponseStatus.OK, "text/html; charset=utf-8",
                        "<!doctype html><title>whoami</title><pre id=\"cookies\">"
                                + request.headers().get(HttpHeaderNames.COOKIE, "(none)") + "</pre>");
            case "/api/cors": {
                corsRequests.add(request.method() + " " + origin + " "
                        + request.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD));
                FullHttpResponse response = request.method() == HttpMethod.OPTIONS
                        ? response(ctx, HttpResponseStatus.NO_CONTENT, null, "")
                        : response(ctx, HttpResponseStatus.OK, "application/json", "{\"cors\":\"ok\"}");
                response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, String.valueOf(origin));
                response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "POST");
                response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "X-Dev-Header, Content-Type");
                return response;
            }
            default:
                return response(ctx, HttpResponseStatus.NOT_FOUND, "text/plain", "no such page");
        }
    }

    private static FullHttpResponse response(ChannelHandlerContext ctx, HttpResponseStatus status, String type,
                                             String body) {
        ByteBuf content = ByteBufUtil.writeUtf8(ctx.alloc(), body);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        if (type != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        }
        HttpUtil.setContentLength(response, content.readableBytes());
        return response;
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
