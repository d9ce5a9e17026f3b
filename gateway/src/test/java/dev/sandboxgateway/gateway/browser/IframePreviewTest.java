package dev.sandboxgateway.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.gateway.testing.TestCertificates;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A private sandbox previewed inside another site's iframe (an IDE), over HTTPS, in a Chromium that
 * blocks third-party cookies as browsers now do: the IDE page on ide.test frames the sandbox on
 * sandbox.test through ?access_token=. With access.cookie.sameSite: none the gateway's cookie is
 * SameSite=None; Secure; Partitioned and the framed page renders; with the default (lax) the
 * browser drops it and the frame shows the gateway's 401, which shows the test can tell the two.
 */
class IframePreviewTest {

    private static final String TOKEN = "preview-token";

    @TempDir
    Path dir;

    private TestBackend pages;
    private GatewayFixture gateway;
    private WebDriver browser;

    /** The IDE's page ({@code /ide?frame=URL}: an iframe of URL) and the sandbox's own page. */
    private static final class Pages extends SimpleChannelInboundHandler<HttpObject> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
            if (!(message instanceof HttpRequest request)) {
                return;
            }
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            String html = uri.path().equals("/ide")
                    ? "<!doctype html><title>IDE</title><iframe id=preview width=600 height=400 src=\""
                            + uri.parameters().get("frame").get(0).replace("\"", "") + "\"></iframe>"
                    : "<!doctype html><title>Preview</title><h1 id=framed>framed preview</h1>";
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    ByteBufUtil.writeUtf8(ctx.alloc(), html));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
            HttpUtil.setContentLength(response, response.content().readableBytes());
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @BeforeEach
    void startPages() throws Exception {
        pages = TestBackend.http(Pages::new);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (gateway != null) {
            gateway.close();
        }
        pages.close();
    }

    private String framedText(String sameSite) throws Exception {
        Path pem = TestCertificates.writeCombined(new TestCertificates().issue("*.sandbox.test", "*.ide.test"),
                dir.resolve("tls.pem"));
        gateway = GatewayFixture.start(Map.of("GATEWAY_TLS_ENABLED", "true", "GATEWAY_TLS_CERTIFICATES", pem.toString(),
                        "GATEWAY_ROUTING_BASE_DOMAINS", "sandbox.test,ide.test",
                        "GATEWAY_ACCESS_COOKIE_SAME_SITE", sameSite))
                .register("editor")
                .register(SandboxRecord.running("private", "127.0.0.1").withAccessToken(TOKEN));
        browser = BrowserSupport.chromium(Map.of("profile.block_third_party_cookies", true,
                        "profile.cookie_controls_mode", 1),
                "--host-resolver-rules=MAP *.sandbox.test 127.0.0.1, MAP *.ide.test 127.0.0.1",
                "--ignore-certificate-errors");
        String preview = "https://" + pages.port() + "-private.sandbox.test:" + gateway.tlsPort() + "/?access_token=" + TOKEN;
        browser.get("https://" + pages.port() + "-editor.ide.test:" + gateway.tlsPort() + "/ide?frame="
                + URLEncoder.encode(preview, StandardCharsets.UTF_8));
        browser.switchTo().frame(browser.findElement(By.id("preview")));
        new WebDriverWait(browser, Duration.ofSeconds(15)).until(b -> !b.findElements(By.tagName("h1")).isEmpty());
        return browser.findElement(By.tagName("h1")).getText();
    }

    @Test
    void withSameSiteNoneThePrivateSandboxRendersInsideAnotherSitesIframe() throws Exception {
        assertEquals("framed preview", framedText("none"));
    }

    @Test
    void withTheDefaultLaxCookieTheBlockedThirdPartyCookieLeavesTheFrameUnauthorised() throws Exception {
        assertEquals("This sandbox needs an access token", framedText("lax"));
    }
}
