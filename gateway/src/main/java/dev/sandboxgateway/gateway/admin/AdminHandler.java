package dev.sandboxgateway.gateway.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sandboxgateway.routing.registry.RegistryUnavailableException;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.registry.SandboxRegistry;
import dev.sandboxgateway.routing.registry.WritableSandboxRegistry;
import dev.sandboxgateway.routing.resolve.SandboxResolver;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API: health, readiness, Prometheus metrics, and the sandbox registry under
 * {@code /v1/sandboxes}. Bodies are small, so requests are aggregated here (never on the edge).
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    private static final String SANDBOXES = "/v1/sandboxes";
    private static final String RELOAD = "/v1/reload";

    private final ObjectMapper json = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .build();
    private final Endpoints endpoints;
    private final SandboxRegistry registry;
    private final SandboxResolver resolver;
    private final PrometheusMeterRegistry metrics;
    private final BooleanSupplier ready;
    private final ReloadOutcome.Reloader reloader;
    private final byte @Nullable [] token;

    /** What a listener serves: the ops listener leaves the registry API out. */
    enum Endpoints { PROBES_AND_METRICS, ALL }

    AdminHandler(Endpoints endpoints, SandboxRegistry registry, SandboxResolver resolver,
                 PrometheusMeterRegistry metrics, BooleanSupplier ready, ReloadOutcome.Reloader reloader,
                 @Nullable String token) {
        this.endpoints = endpoints;
        this.registry = registry;
        this.resolver = resolver;
        this.metrics = metrics;
        this.ready = ready;
        this.reloader = reloader;
        this.token = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            send(ctx, request, error(HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed request", null));
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        HttpMethod method = request.method();
        if (path.equals("/healthz") && HttpMethod.GET.equals(method)) {
            send(ctx, request, jsonResponse(HttpResponseStatus.OK, Map.of("status", "ok")));
        } else if (path.equals("/readyz") && HttpMethod.GET.equals(method)) {
            boolean isReady = ready.getAsBoolean();
            send(ctx, request, jsonResponse(isReady ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                    Map.of("status", isReady ? "ready" : "not_ready")));
        } else if (path.equals("/metrics") && HttpMethod.GET.equals(method)) {
            FullHttpResponse response = text(HttpResponseStatus.OK, metrics.scrape());
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            send(ctx, request, response);
        } else if (endpoints == Endpoints.ALL && (path.equals(SANDBOXES) || path.startsWith(SANDBOXES + "/")
                || path.equals(RELOAD))) {
            if (!authorised(request)) {
                FullHttpResponse response = error(HttpResponseStatus.UNAUTHORIZED, "unauthorized",
                        "this endpoint requires 'Authorization: Bearer <admin.token>'", null);
                response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
                send(ctx, request, response);
            } else if (path.equals(RELOAD)) {
                reload(ctx, request, method);
            } else {
                String id = path.length() > SANDBOXES.length() + 1 ? path.substring(SANDBOXES.length() + 1) : null;
                sandboxes(ctx, request, method, id);
            }
        } else {
            send(ctx, request, error(HttpResponseStatus.NOT_FOUND, "not_found", "no admin endpoint " + path, null));
        }
    }

    private void sandboxes(ChannelHandlerContext ctx, FullHttpRequest request, HttpMethod method, @Nullable String id) {
        if (id == null) {
            if (!HttpMethod.GET.equals(method)) {
                send(ctx, request, methodNotAllowed("GET"));
                return;
            }
            reply(ctx, request, registry.list().thenApply(records -> jsonResponse(HttpResponseStatus.OK,
                    Map.of("registry", registry.kind(), "sandboxes", records.stream()
                            .sorted(Comparator.comparing(SandboxRecord::id)).map(SandboxView::of).toList()))));
        } else if (HttpMethod.GET.equals(method)) {
            reply(ctx, request, registry.lookup(id).thenApply(record -> record
                    .map(r -> jsonResponse(HttpResponseStatus.OK, SandboxView.of(r)))
                    .orElseGet(() -> notFound(id))));
        } else if (HttpMethod.PUT.equals(method)) {
            if (!(registry instanceof WritableSandboxRegistry writable)) {
                send(ctx, request, readOnly());
                return;
            }
            SandboxRecord record;
            try {
                record = parse(id, request.content().toString(StandardCharsets.UTF_8));
            } catch (InvalidRecordException e) {
                send(ctx, request, error(HttpResponseStatus.BAD_REQUEST, "invalid_sandbox", e.getMessage(), e.field));
                return;
            }
            reply(ctx, request, written(id, writable.put(record))
                    .thenApply(ignored -> jsonResponse(HttpResponseStatus.OK, SandboxView.of(record))));
        } else if (HttpMethod.DELETE.equals(method)) {
            if (!(registry instanceof WritableSandboxRegistry writable)) {
                send(ctx, request, readOnly());
                return;
            }
            reply(ctx, request, written(id, writable.remove(id)).thenApply(removed -> removed
                    ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT)
                    : notFound(id)));
        } else {
            send(ctx, request, methodNotAllowed("GET, PUT, DELETE"));
        }
    }

    /**
     * Reads the configuration file again, off the event loop (it reads a file and may wait for a
     * shutdown in progress): 200 when applied, 409 when a changed setting needs a restart, 400 when
     * the file is invalid, 503 while shutting down; nothing changes unless 200.
     */
    private void reload(ChannelHandlerContext ctx, FullHttpRequest request, HttpMethod method) {
        if (!HttpMethod.POST.equals(method)) {
            send(ctx, request, methodNotAllowed("POST"));
            return;
        }
        reply(ctx, request, CompletableFuture.supplyAsync(reloader::reload).thenApply(outcome -> {
            HttpResponseStatus status = switch (outcome.result()) {
                case APPLIED -> HttpResponseStatus.OK;
                case RESTART_REQUIRED -> HttpResponseStatus.CONFLICT;
                case INVALID -> HttpResponseStatus.BAD_REQUEST;
                case SHUTTING_DOWN -> HttpResponseStatus.SERVICE_UNAVAILABLE;
            };
            ObjectNode body = json.createObjectNode()
                    .put("result", outcome.result().name().toLowerCase(Locale.ROOT))
                    .put("message", outcome.message());
            outcome.changed().forEach(body.putArray("changed")::add);
            return jsonResponse(status, body);
        }));
    }

    /**
     * A registry write that completes only once this gateway's cached answer for the sandbox is gone,
     * so the next request through this gateway sees the write: the registry's change event reaches
     * the cache too, but later. Dropped however the write ended, since a write that timed out may
     * still have happened. A load or refresh already in flight cannot put the old answer back: the
     * cache discards what completes after an invalidation.
     */
    private <T> CompletableFuture<T> written(String id, CompletableFuture<T> write) {
        return write.whenComplete((result, error) -> resolver.invalidate(id));
    }

    /** Thrown for a PUT body that is not a valid sandbox; names the field at fault. */
    private static final class InvalidRecordException extends Exception {
        private static final long serialVersionUID = 1L;
        final @Nullable String field;

        InvalidRecordException(@Nullable String field, String message) {
            super(message);
            this.field = field;
        }
    }

    private SandboxRecord parse(String id, String body) throws InvalidRecordException {
        ObjectNode node;
        try {
            if (!(json.readTree(body) instanceof ObjectNode object)) {
                throw new InvalidRecordException(null, "the body must be a JSON object describing the sandbox");
            }
            node = object;
        } catch (JsonProcessingException e) {
            throw new InvalidRecordException(null, "the body is not valid JSON: " + e.getOriginalMessage());
        }
        if (node.hasNonNull("id") && !node.get("id").asText().equals(id)) {
            throw new InvalidRecordException("id", "id: '" + node.get("id").asText()
                    + "' in the body differs from '" + id + "' in the path");
        }
        node.put("id", id);
        try {
            return json.treeToValue(node, SandboxRecord.class);
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidRecordException(e.getPropertyName(), e.getPropertyName() + ": unknown field");
        } catch (JsonMappingException e) {
            String message = String.valueOf(e.getCause() instanceof IllegalArgumentException cause ? cause.getMessage()
                    : e.getOriginalMessage());
            String field = e.getPath().isEmpty() ? fieldOf(message) : e.getPath().get(0).getFieldName();
            if (!message.startsWith(field + ":")) {
                message = field + ": " + message;
            }
            throw new InvalidRecordException(field, message);
        } catch (JsonProcessingException e) {
            throw new InvalidRecordException(null, e.getOriginalMessage());
        }
    }

    private static @Nullable String fieldOf(String message) {
        int colon = message.indexOf(':');
        return colon > 0 ? message.substring(0, colon) : null;
    }

    private boolean authorised(FullHttpRequest request) {
        if (token == null) {
            return true;
        }
        String given = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        return given != null && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8));
    }

    private void reply(ChannelHandlerContext ctx, FullHttpRequest request, CompletableFuture<FullHttpResponse> future) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        future.whenComplete((response, failure) -> {
            FullHttpResponse answer = response;
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            if (cause instanceof UnsupportedOperationException) {
                answer = error(HttpResponseStatus.NOT_IMPLEMENTED, "not_supported", cause.getMessage(), null);
            } else if (cause instanceof RegistryUnavailableException) {
                log.warn("admin request {} {} failed: {}", request.method(), request.uri(), cause.getMessage());
                answer = error(HttpResponseStatus.SERVICE_UNAVAILABLE, "registry_unavailable",
                        "the registry could not complete the request: " + cause.getMessage(), null);
            } else if (cause != null) {
                log.error("admin request {} {} failed", request.method(), request.uri(), cause);
                answer = error(HttpResponseStatus.SERVICE_UNAVAILABLE, "registry_unavailable",
                        "the registry could not complete the request: " + cause.getMessage(), null);
            }
            send(ctx, keepAlive, answer);
        });
    }

    private void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
        send(ctx, HttpUtil.isKeepAlive(request), response);
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private FullHttpResponse notFound(String id) {
        return error(HttpResponseStatus.NOT_FOUND, "sandbox_not_found", "there is no sandbox '" + id + "'", null);
    }

    private FullHttpResponse readOnly() {
        return error(HttpResponseStatus.CONFLICT, "registry_read_only", "the " + registry.kind()
                + " registry cannot be written through the admin API; edit its source instead", null);
    }

    private FullHttpResponse methodNotAllowed(String allowed) {
        FullHttpResponse response = error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                "allowed: " + allowed, null);
        response.headers().set(HttpHeaderNames.ALLOW, allowed);
        return response;
    }

    private FullHttpResponse error(HttpResponseStatus status, String code, @Nullable String message,
                                   @Nullable String field) {
        ObjectNode body = json.createObjectNode().put("code", code).put("message", message);
        if (field != null) {
            body.put("field", field);
        }
        return jsonResponse(status, body);
    }

    private FullHttpResponse jsonResponse(HttpResponseStatus status, Object body) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        return response;
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin connection failed", cause);
        ctx.close();
    }
}
