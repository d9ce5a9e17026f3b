package dev.sandboxgateway.routing.registry;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/**
 * Sandbox records from a platform's own control plane: {@code GET {baseUrl}{pathTemplate}} with
 * {@code {id}} replaced, answered 200 with a JSON document (mapped to record fields by JSON
 * pointers) or 404 when there is no such sandbox. Read-only, and without change events: the
 * cache TTLs bound how long a change takes to be seen.
 */
public final class HttpSandboxRegistry implements SandboxRegistry {

    /**
     * Where each record field is in the control plane's JSON, as JSON pointers ({@code /network/ip}).
     * A field whose pointer finds nothing is absent.
     */
    public record FieldMapping(String id, String suffix, String backendHost, String state, String allowedPorts,
                               String accessToken, String labels, String allowedClients, String maxRequestBodySize,
                               String portStartupWaitMillis, String allowedOrigins, String hostRewrite) {

        /** Fields named as in the registry file, at the top level of the document. */
        public static final FieldMapping DEFAULT = new FieldMapping("/id", "/suffix", "/backendHost", "/state",
                "/allowedPorts", "/accessToken", "/labels", "/allowedClients", "/maxRequestBodySize",
                "/portStartupWaitMillis", "/allowedOrigins", "/hostRewrite");

        Map<String, String> byField() {
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("id", id);
            fields.put("suffix", suffix);
            fields.put("backendHost", backendHost);
            fields.put("state", state);
            fields.put("allowedPorts", allowedPorts);
            fields.put("accessToken", accessToken);
            fields.put("labels", labels);
            fields.put("allowedClients", allowedClients);
            fields.put("maxRequestBodySize", maxRequestBodySize);
            fields.put("portStartupWaitMillis", portStartupWaitMillis);
            fields.put("allowedOrigins", allowedOrigins);
            fields.put("hostRewrite", hostRewrite);
            return fields;
        }
    }

    /**
     * @param baseUrl               e.g. {@code https://orchestrator.internal/api}
     * @param pathTemplate          appended to the base URL, {@code {id}} replaced by the sandbox id
     * @param token                 sent as {@code Authorization: Bearer}, or {@code null}
     * @param timeout               for connecting and for the whole response
     * @param maxConcurrentRequests calls in flight at once; up to 16 times as many wait, more fail at once
     * @param fields                where the record's fields are in the response
     */
    public record Settings(@Nullable URI baseUrl, String pathTemplate, @Nullable String token, Duration timeout,
                           int maxConcurrentRequests, FieldMapping fields) {
    }

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final Settings settings;
    private final Map<String, String> fields;
    private final HttpClient client;
    private final ConcurrencyLimit limit;
    private volatile boolean lastCallAnswered = true;
    /** How long one lookup may take ({@code registry.http.timeout}, which a reload may change). */
    private volatile Duration timeout;

    public HttpSandboxRegistry(Settings settings) {
        this.settings = settings;
        this.fields = settings.fields().byField();
        this.client = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.limit = new ConcurrencyLimit(settings.maxConcurrentRequests(), settings.maxConcurrentRequests() * 16);
        this.timeout = settings.timeout();
    }

    /**
     * Bounds each lookup by {@code newTimeout} from now on. Connecting stays bounded by the timeout
     * the registry was opened with, which the JDK's client fixes when it is built.
     */
    public void timeout(Duration newTimeout) {
        this.timeout = newTimeout;
    }

    @Override
    public CompletableFuture<Optional<SandboxRecord>> lookup(String sandboxId) {
        URI uri = URI.create(settings.baseUrl() + settings.pathTemplate().replace("{id}", sandboxId));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Accept", "application/json")
                .GET();
        if (settings.token() != null) {
            request.header("Authorization", "Bearer " + settings.token());
        }
        return limit.submit(() -> client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray()))
                .handle((response, error) -> {
                    if (error != null) {
                        lastCallAnswered = false;
                        Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                        throw cause instanceof RegistryUnavailableException unavailable ? unavailable
                                : new RegistryUnavailableException("GET " + uri + " failed: " + cause, cause);
                    }
                    lastCallAnswered = true;
                    int status = response.statusCode();
                    if (status == 404 || status == 410) {
                        return Optional.empty();
                    }
                    if (status != 200) {
                        throw new RegistryUnavailableException("GET " + uri + " answered " + status);
                    }
                    return Optional.of(toRecord(sandboxId, uri, response.body()));
                });
    }

    private SandboxRecord toRecord(String sandboxId, URI uri, byte[] body) {
        JsonNode document;
        try {
            document = JSON.readTree(body);
        } catch (IOException e) {
            throw new RegistryUnavailableException("GET " + uri + " answered with invalid JSON: " + e.getMessage(), e);
        }
        ObjectNode record = JSON.createObjectNode();
        fields.forEach((field, pointer) -> {
            if (pointer != null && !pointer.isEmpty()) {
                JsonNode value = document.at(pointer);
                if (!value.isMissingNode() && !value.isNull()) {
                    record.set(field, value);
                }
            }
        });
        if (!record.has("id")) {
            record.put("id", sandboxId);
        } else if (!sandboxId.equals(record.get("id").asText())) {
            throw new RegistryUnavailableException("GET " + uri + " answered with sandbox '"
                    + record.get("id").asText() + "'");
        }
        try {
            return JSON.treeToValue(record, SandboxRecord.class);
        } catch (IOException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException invalid ? invalid : e;
            throw new RegistryUnavailableException("GET " + uri + " answered with an unusable sandbox: "
                    + cause.getMessage(), e);
        }
    }

    @Override
    public CompletableFuture<List<SandboxRecord>> list() {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(
                "the http registry looks sandboxes up one by one; list them in the control plane"));
    }

    @Override
    public Subscription subscribe(RegistryListener listener) {
        return () -> { };
    }

    @Override
    public String kind() {
        return "http";
    }

    @Override
    public boolean isAvailable() {
        return lastCallAnswered;
    }

    @Override
    public void close() {
        // The JDK client's threads are daemons and end with their work.
    }
}
