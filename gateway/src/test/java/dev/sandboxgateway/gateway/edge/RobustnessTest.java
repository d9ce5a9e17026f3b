package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.gateway.testing.TestCertificates;
import dev.sandboxgateway.gateway.testing.WarningLog;
import dev.sandboxgateway.testing.Eventually;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken clients in bulk: afterwards the gateway still serves, holds no connection,
 * and (checked by the leak-detection extension at PARANOID) has leaked no buffer.
 */
class RobustnessTest {

    private static final long SEED = 20261125L;

    private static TestBackend backend;
    private static GatewayFixture gateway;
    private static String host;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.http(() -> new InfoHandler("app"));
        gateway = GatewayFixture.start(Map.of("GATEWAY_TIMEOUTS_REQUEST_HEADER", "2s")).register("box");
        host = backend.port() + "-box.localhost";
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    @Test
    void survivesAbuseAndKeepsServing() throws Exception {
        Random random = new Random(SEED);
        try (WarningLog log = WarningLog.capture()) {
            abuse(random);
            assertEquals(List.of(), log.warnings());
        }
    }

    private static void abuse(Random random) throws Exception {
        for (int i = 0; i < 1500; i++) {
            try (Socket socket = connect()) {
                switch (i % 6) {
                    case 0 -> socket.setSoLinger(true, 0);
                    case 1 -> write(socket, randomBytes(random, 1 + random.nextInt(2048)));
                    case 2 -> {
                        write(socket, truncatedRequest(random));
                    }
                    case 3 -> write(socket, ("POST /partial HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 100000\r\n\r\n"
                            + "x".repeat(random.nextInt(5000))).getBytes(StandardCharsets.ISO_8859_1));
                    case 4 -> write(socket, ("POST /chunks HTTP/1.1\r\nHost: " + host + "\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + "400\r\n" + "y".repeat(random.nextInt(1024))).getBytes(StandardCharsets.ISO_8859_1));
                    default -> {
                        write(socket, tlsClientHello(random));
                        socket.setSoLinger(true, 0);
                    }
                }
            }
        }
        try (RawHttp client = new RawHttp(gateway.port())) {
            assertEquals(200, client.exchange(RawHttp.get(host, "/after")).status());
        }
        Eventually.await("every abusive connection closed", Duration.ofSeconds(15),
                () -> gateway.gateway().activeConnections() == 0);
    }

    /**
     * A listener behind a load balancer that also takes h2c: the PROXY protocol header and the
     * protocol are read by handlers of their own before the HTTP codec exists, so their failures
     * have their own path.
     */
    @Test
    void aProxiedCleartextListenerSurvivesAbuseQuietly() throws Exception {
        Random random = new Random(SEED + 1);
        // Captured once the gateway runs: starting may warn, e.g. of a transport fallback on a crowded machine.
        try (GatewayFixture proxied = GatewayFixture.start(Map.of("GATEWAY_SERVER_PROXY_PROTOCOL", "true",
                     "GATEWAY_HTTP2_CLEARTEXT", "true", "GATEWAY_SECURITY_TRUSTED_PROXIES", "127.0.0.0/8",
                     "GATEWAY_TIMEOUTS_REQUEST_HEADER", "2s")).register("box");
             WarningLog log = WarningLog.capture()) {
            for (int i = 0; i < 600; i++) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", proxied.port()), 5000);
                    String proxyLine = "PROXY TCP4 203.0.113." + random.nextInt(256) + " 127.0.0.1 "
                            + (1 + random.nextInt(65535)) + " 80\r\n";
                    switch (i % 5) {
                        case 0 -> socket.setSoLinger(true, 0);
                        case 1 -> write(socket, ("PROXY " + Integer.toHexString(random.nextInt()) + "\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
                        case 2 -> write(socket, (proxyLine + "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
                                .substring(0, 1 + random.nextInt(23))).getBytes(StandardCharsets.ISO_8859_1));
                        case 3 -> write(socket, randomBytes(random, 1 + random.nextInt(512)));
                        default -> {
                            write(socket, (proxyLine + "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
                                    .getBytes(StandardCharsets.ISO_8859_1));
                            write(socket, randomBytes(random, 9 + random.nextInt(64)));
                            socket.setSoLinger(true, 0);
                        }
                    }
                }
            }
            try (RawHttp client = new RawHttp(proxied.port())) {
                client.send("PROXY TCP4 198.51.100.7 127.0.0.1 55123 80\r\n");
                assertEquals(200, client.exchange(RawHttp.get(host, "/after")).status());
            }
            Eventually.await("every abusive connection closed", Duration.ofSeconds(15),
                    () -> proxied.gateway().activeConnections() == 0);
            assertEquals(List.of(), log.warnings());
        }
    }

    /**
     * The TLS listener: SNI and the handshake run before any HTTP handler exists, and after it the
     * protocol ALPN chose is set up in the middle of the connection, so each stage has its own failures.
     */
    @Test
    void aTlsListenerSurvivesAbuseQuietly(@TempDir Path dir) throws Exception {
        Random random = new Random(SEED + 2);
        TestCertificates authority = new TestCertificates();
        Path pem = TestCertificates.writeCombined(authority.issue("localhost", "*.localhost"), dir.resolve("tls.pem"));
        try (GatewayFixture secure = GatewayFixture.start(Map.of("GATEWAY_TLS_ENABLED", "true",
                     "GATEWAY_TLS_CERTIFICATES", pem.toString(), "GATEWAY_TIMEOUTS_REQUEST_HEADER", "2s"))
                     .register("box");
             WarningLog log = WarningLog.capture()) {
            for (int i = 0; i < 400; i++) {
                switch (i % 8) {
                    case 0, 1, 2, 3, 4 -> {
                        try (Socket socket = new Socket()) {
                            socket.connect(new InetSocketAddress("127.0.0.1", secure.tlsPort()), 5000);
                            abuseBeforeHandshake(socket, i % 8, random);
                        }
                    }
                    case 5 -> {
                        try (SSLSocket socket = authority.connect(secure.tlsPort(), host)) {
                            write(socket, randomBytes(random, 1 + random.nextInt(2048)));
                            socket.setSoLinger(true, 0);
                        }
                    }
                    case 6 -> {
                        try (SSLSocket socket = authority.connectOffering(secure.tlsPort(), host, "h2")) {
                            assertEquals("h2", socket.getApplicationProtocol());
                            write(socket, randomBytes(random, 9 + random.nextInt(64)));
                            socket.setSoLinger(true, 0);
                        }
                    }
                    default -> {
                        try (SSLSocket socket = authority.connect(secure.tlsPort(), host)) {
                            write(socket, truncatedRequest(random));
                            socket.setSoLinger(true, 0);
                        }
                    }
                }
            }
            try (SSLSocket socket = authority.connect(secure.tlsPort(), host);
                 RawHttp client = new RawHttp(socket, 10_000)) {
                assertEquals(200, client.exchange(RawHttp.get(host, "/after")).status());
            }
            Eventually.await("every abusive connection closed", Duration.ofSeconds(15),
                    () -> secure.gateway().activeConnections() == 0);
            assertEquals(List.of(), log.warnings());
        }
    }

    private static void abuseBeforeHandshake(Socket socket, int kind, Random random) throws IOException {
        switch (kind) {
            case 0 -> socket.setSoLinger(true, 0);
            case 1 -> write(socket, randomBytes(random, 1 + random.nextInt(2048)));
            case 2 -> {
                byte[] hello = tlsClientHello(random);
                write(socket, Arrays.copyOf(hello, 1 + random.nextInt(hello.length - 1)));
                socket.setSoLinger(true, 0);
            }
            case 3 -> {
                // A handshake record longer than TLS allows, then a little of it.
                byte[] record = randomBytes(random, 5 + random.nextInt(512));
                record[0] = 0x16;
                record[1] = 0x03;
                record[2] = 0x01;
                record[3] = (byte) 0xff;
                record[4] = (byte) 0xff;
                write(socket, record);
            }
            default -> write(socket, RawHttp.get(host, "/plain-on-the-tls-port").getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void tlsOnThePlainPortGetsAClearErrorOrAClose() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            client.send(tlsClientHello(new Random(SEED)));
            if (!client.closedByPeer()) {
                assertEquals(400, client.readResponse().status());
            }
        }
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 5000);
        return socket;
    }

    private static void write(Socket socket, byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        } catch (IOException e) {
            // The gateway may close first, e.g. on reading garbage; that is a fine answer.
        }
    }

    /** {@code length} random bytes. */
    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** A GET request cut off after a random number of its bytes, at least one. */
    private static byte[] truncatedRequest(Random random) {
        String request = RawHttp.get(host, "/truncated");
        return request.substring(0, 1 + random.nextInt(request.length() - 1)).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A TLS 1.2 ClientHello record as a browser would open an https:// URL on the plain port. */
    private static byte[] tlsClientHello(Random random) {
        byte[] hello = new byte[5 + 4 + 2 + 32 + 1 + 2 + 2 + 1 + 1];
        int i = 0;
        hello[i++] = 0x16;
        hello[i++] = 0x03;
        hello[i++] = 0x01;
        int recordLength = hello.length - 5;
        hello[i++] = (byte) (recordLength >> 8);
        hello[i++] = (byte) recordLength;
        hello[i++] = 0x01;
        int bodyLength = recordLength - 4;
        hello[i++] = 0;
        hello[i++] = (byte) (bodyLength >> 8);
        hello[i++] = (byte) bodyLength;
        hello[i++] = 0x03;
        hello[i++] = 0x03;
        System.arraycopy(randomBytes(random, 32), 0, hello, i, 32);
        i += 32;
        hello[i++] = 0;
        hello[i++] = 0;
        hello[i++] = 2;
        hello[i++] = 0x13;
        hello[i++] = 0x01;
        hello[i++] = 1;
        hello[i] = 0;
        return hello;
    }
}
