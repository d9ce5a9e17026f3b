package dev.sandboxgateway.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestCertificates;
import dev.sandboxgateway.testing.Eventually;
import dev.sandboxgateway.testing.UnusedPorts;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The observability pack against real programs: a real Prometheus scrapes a running gateway's ops
 * listener with deploy/prometheus/alerts.yml loaded; its series answer queries, every alert rule
 * evaluates without error, and every query of the Grafana dashboard parses and names metrics the
 * gateway publishes. The alerts' own logic is tested by promtool ({@link AlertRulesTest}).
 */
class PrometheusScrapeTest {

    private static final Path DEPLOY = Path.of("").toAbsolutePath().getParent().resolve("deploy");
    /** Metric names in a PromQL expression: followed by a selector, a range, or a bracket/space. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:gateway|netty|process|jvm)_[a-z_]+)\\b");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aRealPrometheusScrapesTheGatewayAndEvaluatesTheAlertsAndDashboard() throws Exception {
        Path pem = TestCertificates.writeCombined(new TestCertificates().issue("*.localhost"), dir.resolve("tls.pem"));
        // Wake-ups configured so their meters exist; nothing here is paused, so nothing calls the URL.
        try (GatewayFixture gateway = GatewayFixture.start(Map.of("GATEWAY_OPS_ENABLED", "true",
                "GATEWAY_TLS_ENABLED", "true", "GATEWAY_TLS_CERTIFICATES", pem.toString(),
                "GATEWAY_WAKE_UP_URL", "http://127.0.0.1:9/wake/{id}"))) {
            try (RawHttp client = new RawHttp(gateway.port())) {
                assertEquals(404, client.exchange(RawHttp.get("80-nobody.localhost", "/")).status());
            }
            // Micrometer registers a GC pause timer at the first pause (told by a GC notification), which a
            // short test may not have had yet.
            System.gc();
            Eventually.await("a GC pause recorded", Duration.ofSeconds(10),
                    () -> scrape(gateway.opsPort()).contains("jvm_gc_pause_seconds_count"));
            String scrape = scrape(gateway.opsPort());
            List<String> dashboardQueries = dashboardQueries();
            assertTrue(dashboardQueries.size() >= 20, "dashboard queries: " + dashboardQueries);
            Set<String> unpublished = new TreeSet<>();
            for (String query : dashboardQueries) {
                unpublished.addAll(unpublishedMetrics(query, scrape));
            }
            unpublished.addAll(unpublishedMetrics(Files.readString(DEPLOY.resolve("prometheus/alerts.yml")), scrape));
            assertEquals(Set.of(), unpublished, "the dashboard or alerts name metrics no scrape holds");

            int port = UnusedPorts.next();
            Path config = Files.writeString(dir.resolve("prometheus.yml"), String.join("\n",
                    "global: {scrape_interval: 1s, evaluation_interval: 1s}",
                    "rule_files: [" + DEPLOY.resolve("prometheus/alerts.yml") + "]",
                    "scrape_configs:",
                    "  - job_name: sandbox-gateway",
                    "    static_configs: [{targets: ['127.0.0.1:" + gateway.opsPort() + "']}]",
                    ""));
            Process prometheus = start(config, port);
            try {
                String base = "http://127.0.0.1:" + port;
                Eventually.await("Prometheus ready", Duration.ofSeconds(30), () -> status(base + "/-/ready") == 200);
                Eventually.await("gateway_build_info scraped", Duration.ofSeconds(30),
                        () -> query(base, "gateway_build_info{job=\"sandbox-gateway\"}").size() == 1);
                JsonNode info = query(base, "gateway_build_info{job=\"sandbox-gateway\"}").get(0);
                assertTrue(info.at("/metric/version").asText().matches("\\d+\\.\\d+\\.\\d+.*"), info.toString());
                assertEquals("1", info.at("/value/1").asText());
                assertEquals("1", query(base, "up{job=\"sandbox-gateway\"}").get(0).at("/value/1").asText());
                Eventually.await("one sandbox_not_found counted", Duration.ofSeconds(30), () -> {
                    JsonNode result = query(base, "gateway_errors_total{code=\"sandbox_not_found\"}");
                    return result.size() == 1 && result.get(0).at("/value/1").asText().equals("1");
                });
                for (String query : dashboardQueries) {
                    JsonNode answer = api(base, "/api/v1/query?query=" + URLEncoder.encode(query
                            .replace("$__rate_interval", "1m").replace("$__range", "1h").replace("$instance", ".*"),
                            StandardCharsets.UTF_8));
                    assertEquals("success", answer.path("status").asText(), query + ": " + answer);
                }
                Eventually.await("every alert rule evaluated without error", Duration.ofSeconds(30), () -> {
                    List<String> unhealthy = new ArrayList<>();
                    JsonNode groups = api(base, "/api/v1/rules").at("/data/groups");
                    groups.forEach(group -> group.path("rules").forEach(rule -> {
                        if (!rule.path("health").asText().equals("ok")) {
                            unhealthy.add(rule.path("name").asText() + ": " + rule.path("health").asText() + " "
                                    + rule.path("lastError").asText());
                        }
                    }));
                    return groups.size() == 1 && groups.get(0).path("rules").size() == 9 && unhealthy.isEmpty();
                });
            } finally {
                prometheus.destroy();
                assertTrue(prometheus.waitFor(30, TimeUnit.SECONDS), "Prometheus did not stop on SIGTERM");
            }
        }
    }

    private static String scrape(int opsPort) {
        try (RawHttp ops = new RawHttp(opsPort)) {
            return ops.exchange(RawHttp.get("127.0.0.1", "/metrics")).text();
        } catch (IOException e) {
            throw new AssertionError("scraping the ops listener failed", e);
        }
    }

    private List<String> dashboardQueries() throws IOException {
        List<String> queries = new ArrayList<>();
        json.readTree(DEPLOY.resolve("grafana/sandbox-gateway.json").toFile()).path("panels").forEach(panel ->
                panel.path("targets").forEach(target -> queries.add(target.path("expr").asText())));
        return queries;
    }

    private static Set<String> unpublishedMetrics(String promql, String scrape) {
        Set<String> missing = new TreeSet<>();
        Matcher matcher = METRIC.matcher(promql);
        while (matcher.find()) {
            String name = matcher.group(1);
            if (!Pattern.compile("(?m)^" + name + "[{ ]").matcher(scrape).find()) {
                missing.add(name);
            }
        }
        return missing;
    }

    private Process start(Path config, int port) throws IOException {
        try {
            return new ProcessBuilder("prometheus", "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("a Prometheus server is needed: apt-get install prometheus (Debian's package)", e);
        }
    }

    private int status(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private JsonNode query(String base, String promql) {
        return api(base, "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).at("/data/result");
    }

    private JsonNode api(String base, String pathAndQuery) {
        try {
            return json.readTree(http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body());
        } catch (IOException e) {
            throw new AssertionError("Prometheus API " + pathAndQuery + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
