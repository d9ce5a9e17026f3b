package dev.sandboxgateway.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.testing.UnusedPorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real Vite dev server (the version pinned in src/test/vite/package.json) opened through the
 * gateway in Chromium. Vite refuses hosts it does not know to stop DNS rebinding; with the
 * sandbox's hostRewrite it is sent localhost, the page renders, and an edited module reaches the
 * page through Vite's HMR WebSocket without a reload. Without the rewrite, Vite's own refusal
 * arrives unchanged. The base domain is sandbox.test, which Vite does not trust by default (it
 * trusts *.localhost), resolved to loopback by Chromium's host rules.
 */
class ViteDevServerTest {

    private static final Path FIXTURE = Path.of("src", "test", "vite").toAbsolutePath();
    private static final Path VITE = FIXTURE.resolve("node_modules/vite/bin/vite.js");
    private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001B\\[[0-9;]*m");

    private static Path root;
    private static Process vite;
    private static int vitePort;
    private static final List<String> viteOutput = new CopyOnWriteArrayList<>();
    private static GatewayFixture gateway;
    private static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isRegularFile(VITE)) {
            throw new IllegalStateException("the Vite test needs its npm packages: run 'npm ci' in " + FIXTURE
                    + " (.ci/run does this)");
        }
        BrowserSupport.requireChromium();
        root = Files.createTempDirectory("vite-app");
        try (Stream<Path> files = Files.list(FIXTURE.resolve("app"))) {
            for (Path file : files.toList()) {
                Files.copy(file, root.resolve(file.getFileName()));
            }
        }
        vitePort = UnusedPorts.next();
        ProcessBuilder command = new ProcessBuilder("node", VITE.toString(), root.toString(), "--port",
                Integer.toString(vitePort), "--strictPort", "--host", "127.0.0.1", "--clearScreen", "false")
                .directory(FIXTURE.toFile()).redirectErrorStream(true);
        // Vite colours its output when CI is set (picocolors), splitting "127.0.0.1:<port>" with
        // escape codes; ask for plain text and strip any codes that come anyway.
        command.environment().put("NO_COLOR", "1");
        vite = command.start();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(vite.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String raw = in.readLine(); raw != null; raw = in.readLine()) {
                    String line = ANSI_ESCAPE.matcher(raw).replaceAll("");
                    viteOutput.add(line);
                    if (line.contains("127.0.0.1:" + vitePort)) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException("Vite exited: " + String.join("\n", viteOutput)));
        }, "vite-output");
        reader.setDaemon(true);
        reader.start();
        ready.get(60, TimeUnit.SECONDS);

        gateway = GatewayFixture.start(Map.of("GATEWAY_ROUTING_BASE_DOMAINS", "sandbox.test"))
                .register(SandboxRecord.running("rewritten", "127.0.0.1").withHostRewrite(Map.of("*", "localhost:${port}")))
                .register("plain");
        browser = BrowserSupport.chromium("--host-resolver-rules=MAP *.sandbox.test 127.0.0.1");
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (vite != null) {
            vite.destroy();
            assertTrue(vite.waitFor(20, TimeUnit.SECONDS), "Vite did not stop on SIGTERM");
        }
        if (root != null) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.sorted((a, b) -> b.compareTo(a)).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    private static String url(String id) {
        return "http://" + vitePort + "-" + id + ".sandbox.test:" + gateway.port() + "/";
    }

    @Test
    void withTheHostRewriteThePageRendersAndAnEditArrivesOverHmrWithoutAReload() throws Exception {
        browser.get(url("rewritten"));
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.until(b -> b.findElement(By.id("message")).getText().equals("hello from vite"));
        JavascriptExecutor page = (JavascriptExecutor) browser;
        page.executeScript("window.__sameDocument = 'still here';");
        Files.writeString(root.resolve("message.js"), "export const message = 'hello after an edit';\n");
        wait.until(b -> b.findElement(By.id("message")).getText().equals("hello after an edit"));
        assertEquals("still here", page.executeScript("return window.__sameDocument;"),
                "the change came through HMR: the page was not reloaded");
        assertTrue(viteOutput.stream().anyMatch(line -> line.contains("hmr update")),
                "Vite pushed the update: " + viteOutput);
    }

    @Test
    void withoutItVitesOwnRefusalArrivesUnchanged() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            String host = vitePort + "-plain.sandbox.test:" + gateway.port();
            RawHttp.Response refused = client.exchange(RawHttp.get(host, "/"));
            assertEquals(403, refused.status(), refused.text());
            assertTrue(refused.text().contains("Blocked request. This host (\"" + vitePort + "-plain.sandbox.test\") is "
                    + "not allowed."), refused.text());
            assertEquals(null, refused.header("x-gateway-error"), "the dev server's answer, not the gateway's");
        }
    }
}
