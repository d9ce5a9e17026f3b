package dev.sandboxgateway.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.gateway.testing.TestCertificates;
import dev.sandboxgateway.testing.Eventually;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a scrape of a real gateway holds after real traffic: fixed-bucket histograms, counts by
 * error code and by TLS handshake result, bytes each way, build info, the certificate's expiry as a
 * timestamp; and that Prometheus's own linter accepts every name.
 */
class MetricsExpositionTest {

    @TempDir
    static Path dir;

    private static TestCertificates authority;
    private static X509Bundle certificate;
    private static TestBackend backend;
    private static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        authority = new TestCertificates();
        certificate = authority.issue("*.localhost");
        Path pem = TestCertificates.writeCombined(certificate, dir.resolve("tls.pem"));
        backend = TestBackend.http(() -> new InfoHandler("app"));
        gateway = GatewayFixture.start(Map.of("GATEWAY_OPS_ENABLED", "true", "GATEWAY_TLS_ENABLED", "true", "GATEWAY_TLS_CERTIFICATES",
                pem.toString(), "GATEWAY_TIMEOUTS_REQUEST_HEADER", "500ms")).register("box");
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private static String scrape() throws IOException {
        try (RawHttp ops = new RawHttp(gateway.opsPort())) {
            RawHttp.Response response = ops.exchange(RawHttp.get("127.0.0.1", "/metrics"));
            assertEquals(200, response.status());
            return response.text();
        }
    }

    /** The sample's value, or -1 when the scrape has no such series. */
    private static double sample(String scrape, String series) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : -1;
    }

    private static void awaitSample(String series, double expected) {
        Eventually.await(series + " = " + expected, Duration.ofSeconds(10), () -> {
            try {
                return sample(scrape(), series) == expected;
            } catch (IOException e) {
                return false;
            }
        });
    }

    @Test
    void requestsAreCountedByErrorCodeBytesAndFixedBuckets() throws Exception {
        String host = backend.port() + "-box.localhost";
        try (RawHttp client = new RawHttp(gateway.port())) {
            String body = "x".repeat(1000);
            assertEquals(200, client.exchange("POST /upload HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 1000\r\n\r\n"
                    + body).status());
            assertEquals(404, client.exchange(RawHttp.get("80-nobody.localhost", "/")).status());
        }
        String scrape = scrape();
        assertEquals(1.0, sample(scrape, "gateway_errors_total{code=\"sandbox_not_found\"}"), scrape);
        assertEquals(0.0, sample(scrape, "gateway_errors_total{code=\"rate_limited\"}"),
                "every code is a series from the start, so rate() sees its first error");
        assertTrue(sample(scrape, "gateway_client_received_bytes_total") >= 1000, scrape);
        assertTrue(sample(scrape, "gateway_client_sent_bytes_total") > 0, scrape);
        for (String le : new String[] {"0.001", "0.025", "1.0", "60.0", "+Inf"}) {
            assertTrue(sample(scrape, "gateway_requests_seconds_bucket{source=\"backend\",status=\"2xx\",le=\"" + le
                    + "\"}") >= 0, "bucket le=" + le + " missing:\n" + scrape);
        }
        assertEquals(1.0, sample(scrape, "gateway_requests_seconds_bucket{source=\"backend\",status=\"2xx\","
                + "le=\"+Inf\"}"), scrape);
        assertTrue(Pattern.compile("(?m)^gateway_build_info\\{java_version=\"[^\"]+\",version=\"\\d+\\.\\d+\\.\\d+[^\"]*\"} 1")
                .matcher(scrape).find(), scrape);
        assertEquals((double) certificate.getCertificate().getNotAfter().toInstant().getEpochSecond(),
                sample(scrape, "gateway_tls_certificate_expiry_timestamp_seconds"), scrape);
    }

    @Test
    void tlsHandshakesAreCountedByHowTheyEnded() throws Exception {
        int port = gateway.tlsPort();
        try (SSLSocket handshaken = authority.connect(port, "app.localhost")) {
            assertTrue(handshaken.getSession().isValid());
            awaitSample("gateway_tls_handshakes_total{result=\"success\"}", 1.0);
        }
        try (Socket plain = connect(port)) {
            plain.getOutputStream().write(RawHttp.get("app.localhost", "/").getBytes(StandardCharsets.US_ASCII));
            readUntilClosed(plain.getInputStream());
        }
        awaitSample("gateway_tls_handshakes_total{result=\"not_tls\"}", 1.0);

        SSLContext trustsNothingOfOurs = SSLContext.getInstance("TLS");
        trustsNothingOfOurs.init(null, null, null);
        try (SSLSocket distrustful = (SSLSocket) trustsNothingOfOurs.getSocketFactory().createSocket("127.0.0.1", port)) {
            distrustful.setSoTimeout(10_000);
            assertThrows(SSLException.class, distrustful::startHandshake);
        }
        awaitSample("gateway_tls_handshakes_total{result=\"certificate_rejected\"}", 1.0);

        try (Socket leaving = connect(port)) {
            sendClientHello(leaving.getOutputStream());
            assertTrue(leaving.getInputStream().read() >= 0, "the server answers the ClientHello");
        }
        awaitSample("gateway_tls_handshakes_total{result=\"client_closed\"}", 1.0);

        try (Socket silent = connect(port)) {
            readUntilClosed(silent.getInputStream());
        }
        awaitSample("gateway_tls_handshakes_total{result=\"timeout\"}", 1.0);
        assertEquals(0.0, sample(scrape(), "gateway_tls_handshakes_total{result=\"protocol_error\"}"));
    }

    @Test
    void promtoolAcceptsEveryName() throws Exception {
        Process promtool;
        try {
            promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("promtool is needed: apt-get install prometheus (Debian's package)", e);
        }
        try (OutputStream in = promtool.getOutputStream()) {
            in.write(scrape().getBytes(StandardCharsets.UTF_8));
        }
        String report = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(promtool.waitFor(30, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, promtool.exitValue(), "promtool check metrics:\n" + report);
        assertEquals("", report.strip());
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static void readUntilClosed(InputStream in) throws IOException {
        byte[] buffer = new byte[4096];
        while (in.read(buffer) >= 0) {
            // Whatever the server sends before it closes.
        }
    }

    /** A real ClientHello from the JDK's engine, so the server's handshake starts; nothing follows it. */
    private static void sendClientHello(OutputStream out) throws Exception {
        SSLEngine engine = authority.clientContext().createSSLEngine("app.localhost", 443);
        engine.setUseClientMode(true);
        engine.beginHandshake();
        ByteBuffer hello = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), hello);
        hello.flip();
        out.write(Arrays.copyOf(hello.array(), hello.limit()));
        out.flush();
    }
}
