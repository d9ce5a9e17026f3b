package dev.sandboxgateway.gateway.http;

import dev.sandboxgateway.routing.host.SandboxTarget;
import dev.sandboxgateway.routing.policy.GatewayError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.jspecify.annotations.Nullable;

/**
 * Renders the gateway's own error responses: a small self-contained HTML page for browsers, JSON
 * for everything else. Both carry the stable code, also in the {@code X-Gateway-Error} header so
 * clients can tell a gateway error from a sandbox's own 502 without parsing the body.
 */
public final class ErrorResponses {

    /** The header naming the gateway error code on every response the gateway generated. */
    public static final String ERROR_HEADER = "X-Gateway-Error";
    private static final String REQUEST_ID_HEADER = "X-Request-Id";

    private static final String PAGE = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width,initial-scale=1">
            <meta name="robots" content="noindex">
            <title>{{title}}</title>{{refresh}}
            <style>
            :root{color-scheme:light dark;--fg:#1d2430;--muted:#5b6575;--bg:#f6f7f9;--card:#fff;--line:#e3e6eb;--accent:{{accent}}}
            @media (prefers-color-scheme:dark){:root{--fg:#e8ebf0;--muted:#a0a9b8;--bg:#14171c;--card:#1c2027;--line:#2c323c}}
            *{box-sizing:border-box}
            body{margin:0;min-height:100vh;display:grid;place-items:center;background:var(--bg);color:var(--fg);
            font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;padding:24px}
            main{max-width:560px;width:100%;background:var(--card);border:1px solid var(--line);border-radius:12px;
            padding:32px;border-top:4px solid var(--accent)}
            .status{font:600 13px/1 ui-monospace,SFMono-Regular,Menlo,monospace;color:var(--accent);letter-spacing:.04em}
            h1{font-size:22px;margin:10px 0 8px}
            p{margin:0 0 16px;color:var(--muted)}
            .what{color:var(--fg)}
            dl{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;margin:20px 0 0;padding-top:16px;
            border-top:1px solid var(--line);font-size:14px}
            .quote{margin:16px 0 0;font-size:14px}
            dt{color:var(--muted)}dd{margin:0;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all}
            </style></head>
            <body><main>
            <div class="status">{{status}} &middot; SANDBOX GATEWAY</div>
            <h1>{{title}}</h1>
            <p class="what">{{message}}</p>
            <p>{{advice}}</p>
            <dl>{{details}}<dt>Error code</dt><dd>{{code}}</dd></dl>{{quote}}
            </main></body></html>
            """;

    /**
     * @param error    what went wrong
     * @param message  the specific sentence for this request
     * @param target    the sandbox port the request named, or {@code null} when unknown
     * @param requestId the request's {@code X-Request-Id}, or {@code null} before there is a request
     * @param html      render the browser page instead of JSON
     */
    public FullHttpResponse render(ByteBufAllocator alloc, GatewayError error, String message,
                                   @Nullable SandboxTarget target, @Nullable String requestId, boolean html) {
        return render(alloc, error, message, target, requestId, html, 0);
    }

    /**
     * As {@link #render(ByteBufAllocator, GatewayError, String, SandboxTarget, String, boolean)}, the page
     * reloading itself after {@code refreshSeconds} when that is above 0 (a meta refresh, no script).
     */
    public FullHttpResponse render(ByteBufAllocator alloc, GatewayError error, String message,
                                   @Nullable SandboxTarget target, @Nullable String requestId, boolean html,
                                   int refreshSeconds) {
        CharSequence body = html ? page(error, message, target, requestId, refreshSeconds)
                : json(error, message, target, requestId);
        ByteBuf content = alloc.buffer(ByteBufUtil.utf8MaxBytes(body));
        ByteBufUtil.writeUtf8(content, body);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(error.status()), content);
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, html ? "text/html; charset=utf-8" : "application/json");
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        headers.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set(ERROR_HEADER, error.code());
        if (requestId != null) {
            headers.set(REQUEST_ID_HEADER, requestId);
        }
        return response;
    }

    private static CharSequence json(GatewayError error, String message, @Nullable SandboxTarget target,
                                     @Nullable String requestId) {
        StringBuilder json = new StringBuilder(160).append("{\"code\":\"").append(error.code())
                .append("\",\"message\":");
        quote(json, message);
        if (target != null) {
            json.append(",\"sandboxId\":");
            quote(json, target.sandboxId());
            json.append(",\"port\":").append(target.port());
        }
        if (requestId != null) {
            json.append(",\"requestId\":");
            quote(json, requestId);
        }
        return json.append('}');
    }

    private static CharSequence page(GatewayError error, String message, @Nullable SandboxTarget target,
                                     @Nullable String requestId, int refreshSeconds) {
        StringBuilder out = new StringBuilder(PAGE.length() + 512);
        int from = 0;
        for (int open = PAGE.indexOf("{{"); open >= 0; open = PAGE.indexOf("{{", from)) {
            int close = PAGE.indexOf("}}", open);
            out.append(PAGE, from, open);
            appendField(out, PAGE.substring(open + 2, close), error, message, target, requestId, refreshSeconds);
            from = close + 2;
        }
        return out.append(PAGE, from, PAGE.length());
    }

    /** One pass over the page, escaping straight into the output: no copy of the page per field. */
    private static void appendField(StringBuilder out, String field, GatewayError error, String message,
                                    @Nullable SandboxTarget target, @Nullable String requestId,
                                    int refreshSeconds) {
        switch (field) {
            case "accent" -> out.append(error.status() >= 500 ? "#d14343" : error.status() == 404 ? "#6b5bd6" : "#c27c0e");
            case "status" -> out.append(error.status());
            case "title" -> escape(out, error.title());
            case "message" -> escape(out, message);
            case "advice" -> escape(out, error.advice());
            case "code" -> out.append(error.code());
            case "details" -> {
                if (target != null) {
                    out.append("<dt>Sandbox</dt><dd>");
                    escape(out, target.sandboxId());
                    out.append("</dd><dt>Port</dt><dd>").append(target.port()).append("</dd>");
                }
                if (requestId != null) {
                    out.append("<dt>Request id</dt><dd>");
                    escape(out, requestId);
                    out.append("</dd>");
                }
            }
            case "refresh" -> {
                if (refreshSeconds > 0) {
                    out.append("\n<meta http-equiv=\"refresh\" content=\"").append(refreshSeconds).append("\">");
                }
            }
            case "quote" -> {
                if (requestId != null) {
                    out.append("<p class=\"quote\">If you report this, quote the request id.</p>");
                }
            }
            default -> throw new IllegalStateException("error page names an unknown field " + field);
        }
    }

    private static void quote(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void escape(StringBuilder out, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
    }
}
