package dev.sandboxgateway.gateway.browser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** Debian's headless Chromium driven through its own chromedriver, as every browser test starts it. */
final class BrowserSupport {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private BrowserSupport() {
    }

    /** Fails, saying what to install, when Chromium or its driver is missing. */
    static void requireChromium() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("the browser tests need Debian's Chromium and its driver: run "
                    + "'apt-get install -y chromium chromium-driver' (.ci/run does this)");
        }
    }

    /** A headless Chromium with {@code extraArguments} (host resolver rules, for one). */
    static WebDriver chromium(String... extraArguments) {
        return chromium(Map.of(), extraArguments);
    }

    /** As {@link #chromium(String...)}, with profile preferences ({@code profile.block_third_party_cookies}). */
    static WebDriver chromium(Map<String, Object> preferences, String... extraArguments) {
        requireChromium();
        ChromeOptions options = new ChromeOptions();
        if (!preferences.isEmpty()) {
            options.setExperimentalOption("prefs", preferences);
        }
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1100,800", "--no-first-run", "--no-default-browser-check");
        options.addArguments(extraArguments);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        WebDriver browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20)).scriptTimeout(Duration.ofSeconds(10));
        return browser;
    }
}
