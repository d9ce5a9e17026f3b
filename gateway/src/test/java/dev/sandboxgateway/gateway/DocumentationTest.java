package dev.sandboxgateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.config.ConfigLoader;
import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.TestCertificates;
import dev.sandboxgateway.routing.policy.GatewayError;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Public behaviour is documented where users look for it: every configuration key with its
 * environment variable, every error code, every metric the gateway publishes. Each test lists
 * what the code has and the page lacks.
 */
class DocumentationTest {

    private static String page(String name) throws IOException {
        // Surefire runs in the module's directory; the manual is beside the modules.
        Path docs = Path.of("").toAbsolutePath().getParent().resolve("docs");
        Path page = docs.resolve(name);
        assertTrue(Files.isRegularFile(page), "the manual's page " + page + " is missing");
        return Files.readString(page);
    }

    /** Backquoted words of the page, e.g. {@code `server.port`}. */
    private static Set<String> quoted(String text) {
        Set<String> words = new TreeSet<>();
        Matcher matcher = Pattern.compile("`([^`\\s]+)`").matcher(text);
        while (matcher.find()) {
            words.add(matcher.group(1));
        }
        return words;
    }

    @Test
    void everyConfigurationKeyAndItsEnvironmentVariableAreInTheReference() throws IOException {
        Set<String> documented = quoted(page("configuration.md"));
        Set<String> missing = new TreeSet<>();
        for (Map.Entry<String, String> key : ConfigLoader.environmentVariables().entrySet()) {
            if (!documented.contains(key.getValue())) {
                missing.add(key.getValue());
            }
            if (!documented.contains(key.getKey())) {
                missing.add(key.getKey());
            }
        }
        assertEquals(Set.of(), missing, "docs/configuration.md lacks these keys or environment variables");
    }

    @Test
    void everyErrorCodeIsInTheErrorTableWithItsStatus() throws IOException {
        String errors = page("errors.md");
        Set<String> missing = new TreeSet<>();
        for (GatewayError error : GatewayError.values()) {
            boolean listed = errors.lines().anyMatch(line -> line.startsWith("| " + error.status() + " |")
                    && line.contains("`" + error.code() + "`"));
            if (!listed) {
                missing.add(error.status() + " " + error.code());
            }
        }
        assertEquals(Set.of(), missing, "docs/errors.md has no table row with these statuses and codes");
    }

    @Test
    void everyMetricTheGatewayPublishesIsInTheMetricsTable(@TempDir Path dir) throws Exception {
        TestCertificates authority = new TestCertificates();
        Path pem = TestCertificates.writeCombined(authority.issue("localhost", "*.localhost"), dir.resolve("tls.pem"));
        Set<String> published = new TreeSet<>();
        try (GatewayFixture gateway = GatewayFixture.start(Map.of("GATEWAY_TLS_ENABLED", "true",
                "GATEWAY_TLS_CERTIFICATES", pem.toString()))) {
            HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gateway.adminPort() + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, scrape.statusCode());
            Matcher family = Pattern.compile("^# TYPE (gateway_\\S+) (\\S+)$", Pattern.MULTILINE).matcher(scrape.body());
            while (family.find()) {
                published.add(family.group(1));
            }
        }
        assertTrue(published.size() > 5, "the scrape named too few gateway_* metrics: " + published);
        String operations = page("operations.md");
        String table = operations.substring(operations.indexOf("| metric |"));
        Set<String> missing = new TreeSet<>();
        for (String name : published) {
            // A timer's families are documented by its base name: gateway_requests_seconds covers _count, _sum, _max.
            String base = name.replaceAll("_(max|count|sum|bucket)$", "");
            if (!table.contains("`" + name + "`") && !table.contains("`" + base + "`")) {
                missing.add(name);
            }
        }
        assertEquals(Set.of(), missing, "docs/operations.md's metrics table lacks these; published: " + published);
    }

    @Test
    void theReadmeStaysAShortFrontPageThatLinksEveryPageOfTheManual() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<String> readme = Files.readAllLines(root.resolve("README.md"));
        assertTrue(readme.size() <= 200, "README.md has " + readme.size() + " lines; the detail belongs in docs/");
        String text = String.join("\n", readme);
        try (var pages = Files.list(root.resolve("docs"))) {
            List<String> unlinked = pages.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".md"))
                    .filter(n -> !text.contains("(docs/" + n)).sorted().toList();
            assertEquals(List.of(), unlinked, "README.md does not link these pages of docs/");
        }
    }
}
