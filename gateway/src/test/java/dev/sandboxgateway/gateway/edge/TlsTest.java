package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sandboxgateway.gateway.testing.DownloadHandler;
import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.PatternBody;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.ScriptedResponder;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.gateway.testing.TestCertificates;
import dev.sandboxgateway.gateway.testing.WebSocketEchoBackend;
import dev.sandboxgateway.testing.Eventually;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TLS listener with real clients: SNI picks the certificate, ALPN picks HTTP/2 or HTTP/1.1,
 * both reach plain HTTP/1.1 sandboxes, certificates reload without a restart, WebSocket works on
 * the TLS port, and the plain port can redirect to it.
 */
class TlsTest {

    @TempDir
    Path dir;

    private TestCertificates authority;
    private Path sandboxPem;
    private TestBackend info;
    private GatewayFixture gateway;
    private final List<AutoCloseable> closeLater = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        authority = new TestCertificates();
        sandboxPem = TestCertificates.writeCombined(authority.issue("*.sandbox.test", "localhost"),
                dir.resolve("sandbox.pem"));
        Path otherPem = TestCertificates.writeCombined(authority.issue("*.other.test"), dir.resolve("other.pem"));
        info = TestBackend.http(() -> new InfoHandler("info"));
        gateway = GatewayFixture.start(tlsSettings(sandboxPem + "," + otherPem, Map.of())).register("box");
    }

    private static Map<String, String> tlsSettings(String certificates, Map<String, String> more) {
        Map<String, String> settings = new java.util.HashMap<>(Map.of(
                "GATEWAY_TLS_ENABLED", "true",
                "GATEWAY_TLS_CERTIFICATES", certificates,
                "GATEWAY_TLS_RELOAD_INTERVAL", "50ms",
                "GATEWAY_ROUTING_BASE_DOMAINS", "sandbox.test,other.test"));
        settings.putAll(more);
        return settings;
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : closeLater) {
            closeable.close();
        }
        gateway.close();
        info.close();
    }

    private SSLSocket tlsSocket(String serverName, String... protocols) throws Exception {
        return authority.connect(gateway.tlsPort(), serverName, protocols);
    }

    private static String firstDnsName(SSLSocket socket) throws Exception {
        X509Certificate leaf = (X509Certificate) socket.getSession().getPeerCertificates()[0];
        return (String) leaf.getSubjectAlternativeNames().iterator().next().get(1);
    }

    private HttpClient http2Client() throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2)
                .sslContext(authority.clientContext())
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        return client;
    }

    private HttpRequest.Builder sharedHostRequest(int sandboxPort, String path) {
        return HttpRequest.newBuilder(URI.create("https://localhost:" + gateway.tlsPort() + path))
                .header("X-Sandbox-Id", "box")
                .header("X-Sandbox-Port", Integer.toString(sandboxPort))
                .timeout(Duration.ofSeconds(20));
    }

    @Test
    void http11OverTlsIsRoutedByHostAndTellsTheSandboxItWasHttps() throws Exception {
        try (SSLSocket socket = tlsSocket(info.port() + "-box.sandbox.test");
             RawHttp http = new RawHttp(socket, 10_000)) {
            assertEquals("http/1.1", socket.getApplicationProtocol());
            RawHttp.Response response = http.exchange(RawHttp.get(info.port() + "-box.sandbox.test", "/hello"));
            assertEquals(200, response.status());
            assertTrue(response.text().contains("backend=info"), response.text());
            assertTrue(response.text().contains("x-forwarded-proto=https"), response.text());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void http2DisabledMeansAlpnOffersOnlyHttp11WithEitherProvider(String provider) throws Exception {
        gateway.close();
        gateway = GatewayFixture.start(tlsSettings(sandboxPem.toString(), Map.of(
                "GATEWAY_HTTP2_ENABLED", "false", "GATEWAY_TLS_PROVIDER", provider))).register("box");
        try (SSLSocket socket = authority.connectOfferingAll(gateway.tlsPort(), info.port() + "-box.sandbox.test",
                "h2", "http/1.1");
             RawHttp http = new RawHttp(socket, 10_000)) {
            assertEquals("http/1.1", socket.getApplicationProtocol());
            assertEquals(200, http.exchange(RawHttp.get(info.port() + "-box.sandbox.test", "/")).status());
        }
    }

    @Test
    void sniPicksTheCertificateForTheNameAndTheFirstOneWithoutSni() throws Exception {
        try (SSLSocket socket = tlsSocket("3000-box.other.test")) {
            assertEquals("*.other.test", firstDnsName(socket));
        }
        try (SSLSocket socket = tlsSocket("3000-box.sandbox.test")) {
            assertEquals("*.sandbox.test", firstDnsName(socket));
        }
        try (SSLSocket socket = tlsSocket(null)) {
            assertEquals("*.sandbox.test", firstDnsName(socket));
        }
    }

    @Test
    void onlyTls12AndTls13AreSpoken() throws Exception {
        try (SSLSocket socket = tlsSocket("localhost", "TLSv1.2")) {
            assertEquals("TLSv1.2", socket.getSession().getProtocol());
        }
        try (SSLSocket socket = tlsSocket("localhost")) {
            assertEquals("TLSv1.3", socket.getSession().getProtocol());
        }
    }

    @Test
    void reloadedCertificateIsServedToNewConnectionsWithoutRestart() throws Exception {
        String before;
        try (SSLSocket socket = tlsSocket("localhost")) {
            before = ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber().toString();
        }
        String renewed = authority.issue("*.sandbox.test", "localhost").getCertificate().getSerialNumber().toString();
        assertNotEquals(before, renewed);
        TestCertificates.writeCombined(authority.issue("*.sandbox.test", "localhost"), sandboxPem);
        Eventually.await("the renewed certificate is served", Duration.ofSeconds(10), () -> {
            try (SSLSocket socket = tlsSocket("localhost")) {
                return !((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber().toString()
                        .equals(before);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void http2ClientGetsHttp2AndManyStreamsShareOneConnection() throws Exception {
        HttpClient client = http2Client();
        // The JDK client opens a connection per request until one has negotiated h2; then it multiplexes.
        assertEquals(200, client.send(sharedHostRequest(info.port(), "/first").build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            responses.add(client.sendAsync(sharedHostRequest(info.port(), "/stream/" + i).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < responses.size(); i++) {
            HttpResponse<String> response = responses.get(i).get(20, TimeUnit.SECONDS);
            assertEquals(HttpClient.Version.HTTP_2, response.version());
            assertEquals(200, response.statusCode());
            assertTrue(response.body().contains("uri=/stream/" + i), response.body());
            assertTrue(response.body().contains("x-forwarded-proto=https"), response.body());
            assertFalse(response.body().contains("x-http2-"), response.body());
        }
        assertEquals(1, gateway.gateway().activeConnections(), "one HTTP/2 connection carried every stream");
    }

    @Test
    void http2UploadsAndDownloadsStreamIntactBothWays() throws Exception {
        HttpClient client = http2Client();
        long uploadSize = 6L * 1024 * 1024 + 17;
        HttpResponse<String> upload = client.send(sharedHostRequest(info.port(), "/upload")
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> PatternBody.stream(5, uploadSize))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, upload.statusCode());
        assertTrue(upload.body().contains("body-bytes=" + uploadSize), upload.body());
        assertTrue(upload.body().contains("body-sha256=" + PatternBody.sha256(5, uploadSize)), upload.body());

        try (TestBackend downloads = TestBackend.http(() -> new DownloadHandler(new CountDownLatch(1), sent -> { }))) {
            long downloadSize = 8L * 1024 * 1024 + 3;
            HttpResponse<byte[]> download = client.send(sharedHostRequest(downloads.port(),
                    "/bytes?size=" + downloadSize + "&seed=7&chunked=true").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, download.statusCode());
            assertEquals(downloadSize, download.body().length);
            byte[] expected = new byte[download.body().length];
            PatternBody.fill(7, 0, expected, expected.length);
            assertTrue(java.util.Arrays.equals(expected, download.body()), "download body differs");
        }
    }

    @Test
    void aStalledHttp2ReaderHoldsBackTheSandboxInsteadOfFillingTheGateway() throws Exception {
        CountDownLatch backendBlocked = new CountDownLatch(1);
        CountDownLatch overran = new CountDownLatch(1);
        long size = 256L * 1024 * 1024;
        try (TestBackend downloads = TestBackend.http(() -> new DownloadHandler(backendBlocked,
                DownloadHandler.past(size / 2, overran)))) {
            HttpResponse<java.io.InputStream> response = http2Client().send(sharedHostRequest(downloads.port(),
                    "/bytes?size=" + size).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            // The body is never read: the stream's window closes, the gateway stops reading the sandbox,
            // and the sandbox's writes have to wait.
            assertTrue(backendBlocked.await(20, TimeUnit.SECONDS), "the sandbox never had to wait");
            // Loopback moves 128 MiB in well under this; a gateway that kept reading would let the sandbox do so.
            assertFalse(overran.await(3, TimeUnit.SECONDS), "the sandbox wrote half the body to a stalled stream");
            response.body().close();
        }
    }

    @Test
    void http2StreamIsResetWhenTheSandboxFailsMidResponseAndTheConnectionLivesOn() throws Exception {
        try (TestBackend broken = TestBackend.raw(() -> new ScriptedResponder(
                "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial", ScriptedResponder.Then.CLOSE))) {
            HttpClient client = http2Client();
            assertThrows(IOException.class, () -> client.send(sharedHostRequest(broken.port(), "/").build(),
                    HttpResponse.BodyHandlers.ofString()), "a truncated body must not pass for a complete one");
            HttpResponse<String> after = client.send(sharedHostRequest(info.port(), "/after").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, after.statusCode());
            assertEquals(HttpClient.Version.HTTP_2, after.version());
        }
    }

    @Test
    void gatewayErrorsReachHttp2ClientsAsResponses() throws Exception {
        HttpResponse<String> response = http2Client().send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + gateway.tlsPort() + "/"))
                        .header("X-Sandbox-Id", "nobody").header("X-Sandbox-Port", "3000")
                        .timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, response.statusCode());
        assertEquals("sandbox_not_found", response.headers().firstValue("x-gateway-error").orElse(null));
    }

    @Test
    void webSocketWorksOnTheTlsPort() throws Exception {
        TestBackend echo = WebSocketEchoBackend.start(new CompletableFuture<>());
        closeLater.add(echo);
        CompletableFuture<String> received = new CompletableFuture<>();
        WebSocket ws = http2Client().newWebSocketBuilder()
                .header("X-Sandbox-Id", "box")
                .header("X-Sandbox-Port", Integer.toString(echo.port()))
                .buildAsync(URI.create("wss://localhost:" + gateway.tlsPort() + "/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                        received.complete(data.toString());
                        return null;
                    }
                })
                .get(20, TimeUnit.SECONDS);
        ws.sendText("over tls", true).get(20, TimeUnit.SECONDS);
        assertEquals("over tls", received.get(20, TimeUnit.SECONDS));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(20, TimeUnit.SECONDS);
    }

    @Test
    void plainListenerRedirectsToHttpsWhenAsked() throws Exception {
        try (GatewayFixture redirecting = GatewayFixture.start(tlsSettings(sandboxPem.toString(),
                Map.of("GATEWAY_TLS_REDIRECT_HTTP", "true", "GATEWAY_TLS_REDIRECT_PORT", "8443")));
             RawHttp http = new RawHttp(redirecting.port())) {
            RawHttp.Response response = http.exchange("POST /api/run?x=1 HTTP/1.1\r\nHost: 3000-box.sandbox.test:80\r\n"
                    + "Content-Length: 0\r\n\r\n");
            assertEquals(308, response.status());
            assertEquals("https://3000-box.sandbox.test:8443/api/run?x=1", response.header("location"));
            RawHttp.Response invalid = http.exchange(RawHttp.get("not-a-sandbox.example.com", "/"));
            assertEquals(400, invalid.status(), "only sandbox hosts are redirected");
        }
    }

    @Test
    void tlsGroupsLimitKeyExchangeToTheConfiguredGroups() throws Exception {
        assumeTrue(OpenSsl.isAvailable(), "tls.groups needs netty-tcnative");
        GatewayFixture restricted = GatewayFixture.start(tlsSettings(sandboxPem.toString(),
                Map.of("GATEWAY_TLS_GROUPS", "P-384")));
        closeLater.add(restricted);
        assertTrue(handshakes(restricted.tlsPort(), "P-384"));
        assertFalse(handshakes(restricted.tlsPort(), "X25519", "P-256"), "a client without P-384 shares no group with it");
        assertTrue(handshakes(gateway.tlsPort(), "X25519", "P-256"), "the provider's default groups include both");
    }

    @Test
    void startupNamesAGroupTheTlsProviderDoesNotKnow() {
        assumeTrue(OpenSsl.isAvailable(), "tls.groups needs netty-tcnative");
        Exception error = assertThrows(Exception.class, () -> GatewayFixture.start(tlsSettings(sandboxPem.toString(),
                Map.of("GATEWAY_TLS_GROUPS", "X25519,P-999"))));
        assertTrue(error.getMessage().contains("tls.groups: [X25519, P-999] is not accepted by OpenSSL"), error.getMessage());
    }

    /** Whether an OpenSSL client offering only {@code groups} completes a handshake on {@code port}. */
    private static boolean handshakes(int port, String... groups) throws Exception {
        SslContext context = SslContextBuilder.forClient()
                .sslProvider(SslProvider.OPENSSL)
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .option(OpenSslContextOption.GROUPS, groups)
                .build();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        // Held here, not looked up in the pipeline later: a refused handshake can close the channel,
        // and empty its pipeline, before connect() returns.
        SslHandler tls = context.newHandler(ByteBufAllocator.DEFAULT, "3000-box.sandbox.test", port);
        try {
            Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(tls);
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    // A refused handshake is an expected answer here: handshakeFuture reports it.
                                    ctx.close();
                                }
                            });
                        }
                    })
                    .connect("127.0.0.1", port).sync().channel();
            Future<Channel> handshake = tls.handshakeFuture();
            assertTrue(handshake.await(10, TimeUnit.SECONDS), "the handshake did not finish");
            channel.close().sync();
            return handshake.isSuccess();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            ReferenceCountUtil.release(context);
        }
    }

    @Test
    void startupNamesTheCertificateThatCannotBeRead() throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.pem"), "not a certificate");
        Exception error = assertThrows(Exception.class, () -> GatewayFixture.start(tlsSettings(broken.toString(), Map.of())));
        assertTrue(error.getMessage().contains("tls.certificates: " + broken), error.getMessage());
    }
}
