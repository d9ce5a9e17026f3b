package dev.sandboxgateway.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.DevServerBackend;
import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.registry.SandboxState;
import dev.sandboxgateway.testing.UnusedPorts;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The browser experience end to end in Debian's headless Chromium: a dev server page with a
 * WebSocket, a static asset and a JSON API through the gateway; the gateway's own error pages;
 * cookie isolation between sandbox hosts; CORS left to the sandboxes. Screenshots go to
 * {@code target/screenshots}.
 */
class BrowserTest {

    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private static DevServerBackend devServer;
    private static GatewayFixture gateway;
    private static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        BrowserSupport.requireChromium();
        devServer = DevServerBackend.start();
        gateway = GatewayFixture.start(Map.of("GATEWAY_BACKEND_PORT_STARTUP_WAIT", "1s"))
                .register(SandboxRecord.running("devbox", "127.0.0.1").withSuffix("a1b2c3d4"))
                .register("alpha")
                .register("beta")
                .register(SandboxRecord.running("sleepy", "127.0.0.1").withState(SandboxState.PAUSED));
        browser = BrowserSupport.chromium();
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (devServer != null) {
            devServer.close();
        }
    }

    @BeforeEach
    void forgetCookies() {
        browser.manage().deleteAllCookies();
    }

    private static String url(String id, String path) {
        return url(devServer.port(), id, path);
    }

    private static String url(int port, String id, String path) {
        return "http://" + port + "-" + id + ".localhost:" + gateway.port() + path;
    }

    private static String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private static void screenshot(String name) throws IOException {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(10));
    }

    @Test
    void aDevServerPageWithWebSocketAssetAndApiWorksThroughTheGateway() throws Exception {
        browser.get(url("devbox-a1b2c3d4", "/"));
        waiting().until(b -> text("ws").startsWith("echo:") && text("api").startsWith("header="));
        assertEquals("echo: hello from the page", text("ws"), "a WebSocket back through the same host");
        assertEquals("header=sandbox-42 body={\"n\":7}", text("api"), "fetch() with a custom header and a POST body");
        Object color = ((JavascriptExecutor) browser).executeScript(
                "return getComputedStyle(document.getElementById('title')).color");
        assertEquals("rgb(1, 2, 3)", color, "the stylesheet (a static asset) was loaded");
        screenshot("dev-server");
    }

    @Test
    void errorPagesSayWhatHappenedAndWhatToDo() throws Exception {
        int closedPort = UnusedPorts.next();
        record Case(String url, String title, String name, List<String> mustSay) {
        }
        List<Case> cases = List.of(
                new Case(url("nosuch", "/"), "Sandbox not found", "error-not-found",
                        List.of("There is no sandbox nosuch.", "Check the id in the URL", "nosuch",
                                Integer.toString(devServer.port()))),
                new Case(url(closedPort, "devbox", "/"), "This port is not listening yet", "error-port-not-listening",
                        List.of("Nothing was listening on port " + closedPort + " in sandbox devbox after waiting",
                                "may still be starting", "reloads itself", "devbox", Integer.toString(closedPort))),
                new Case(url("sleepy", "/"), "Sandbox is paused", "error-paused",
                        List.of("Sandbox sleepy is paused.", "Resume the sandbox", "sleepy")));
        for (Case c : cases) {
            browser.get(c.url());
            assertEquals(c.title(), browser.getTitle());
            assertEquals(c.title(), browser.findElement(By.tagName("h1")).getText());
            String body = browser.findElement(By.tagName("body")).getText();
            for (String phrase : c.mustSay()) {
                assertTrue(body.contains(phrase), c.name() + " must say '" + phrase + "':\n" + body);
            }
            String source = browser.getPageSource();
            assertEquals(c.name().equals("error-port-not-listening"), source.contains("http-equiv=\"refresh\""),
                    c.name() + ": only the page of a port that is starting reloads itself");
            assertFalse(source.contains("<script") || source.contains("src=") || source.contains("@import")
                    || source.contains("url("), c.name() + ": the page loads nothing else");
            screenshot(c.name());
        }
    }

    @Test
    void cookiesOfOneSandboxAreNotSentToAnother() throws Exception {
        browser.get(url("alpha", "/set-cookie"));
        browser.get(url("alpha", "/whoami"));
        assertTrue(text("cookies").contains("app_session="), text("cookies"));
        browser.get(url("beta", "/whoami"));
        assertEquals("(none)", text("cookies"), "each sandbox host is its own origin and cookie scope");
    }

    @Test
    void corsIsLeftToTheSandboxesAndPreflightsReachThemUntouched() {
        devServer.corsRequests.clear();
        browser.get(url("alpha", "/"));
        String alphaOrigin = "http://" + devServer.port() + "-alpha.localhost:" + gateway.port();
        String allowed = (String) ((JavascriptExecutor) browser).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch(arguments[0], {method: 'POST', headers: {'X-Dev-Header': 'x', 'Content-Type': 'application/json'},
                                     body: '{}'})
                  .then(r => r.text()).then(done).catch(e => done('blocked: ' + e));
                """, url("beta", "/api/cors"));
        assertEquals("{\"cors\":\"ok\"}", allowed, "the sandbox's own CORS answer lets the call through");
        assertEquals(List.of("OPTIONS " + alphaOrigin + " POST", "POST " + alphaOrigin + " null"),
                List.copyOf(devServer.corsRequests), "the preflight reached the sandbox, then the call");

        String refused = (String) ((JavascriptExecutor) browser).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch(arguments[0], {method: 'POST', headers: {'X-Dev-Header': 'x', 'Content-Type': 'application/json'},
                                     body: '{}'})
                  .then(r => r.text()).then(done).catch(e => done('blocked: ' + e));
                """, url("beta", "/api/echo"));
        assertTrue(refused.startsWith("blocked:"), "the gateway adds no CORS headers of its own: " + refused);
    }

    @Test
    void javascriptOnAnotherSandboxReadsTheGatewaysErrorCodeAndRequestId() {
        browser.get(url("alpha", "/"));
        String seen = (String) ((JavascriptExecutor) browser).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch(arguments[0], {credentials: 'include'})
                  .then(r => done(r.status + ' ' + r.headers.get('X-Gateway-Error') + ' ' + r.headers.get('X-Request-Id')))
                  .catch(e => done('blocked: ' + e));
                """, url("nosuch", "/api"));
        assertTrue(seen.matches("404 sandbox_not_found [0-9a-f]{32}"),
                "a cross-origin call, credentials included, reads the gateway's answer: " + seen);
    }
}
