package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.DownloadHandler;
import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.PatternBody;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.SseHandler;
import dev.sandboxgateway.gateway.testing.StreamingDigest;
import dev.sandboxgateway.gateway.testing.TestBackend;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bodies stream both ways without being held: 1 GiB each way, slow readers, server-sent events. */
class StreamingTest {

    private static final long GIB = 1L << 30;
    private static final long MIB = 1L << 20;

    private static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = GatewayFixture.start(Map.of("GATEWAY_BACKEND_RESPONSE_TIMEOUT", "60s")).register("box");
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    /** Direct and heap memory the gateway's allocator holds; test backends and clients use other memory. */
    private static long gatewayBufferMemory() {
        ByteBufAllocatorMetric metric = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        return metric.usedDirectMemory() + metric.usedHeapMemory();
    }

    @Test
    void oneGibUploadArrivesIntact() throws Exception {
        try (TestBackend backend = TestBackend.http(() -> new InfoHandler("sink"));
             RawHttp client = new RawHttp(gateway.port(), 60_000)) {
            client.send("PUT /upload HTTP/1.1\r\nHost: " + backend.port() + "-box.localhost\r\nContent-Length: "
                    + GIB + "\r\n\r\n");
            OutputStream out = client.socket().getOutputStream();
            byte[] buffer = new byte[256 * 1024];
            try (InputStream body = PatternBody.stream(7, GIB)) {
                int n;
                while ((n = body.read(buffer, 0, buffer.length)) > 0) {
                    out.write(buffer, 0, n);
                }
            }
            RawHttp.Response response = client.readResponse();
            assertEquals(200, response.status());
            Map<String, String> seen = InfoHandler.parse(response.body());
            assertEquals(Long.toString(GIB), seen.get("body-bytes"));
            assertEquals(PatternBody.sha256(7, GIB), seen.get("body-sha256"));
        }
    }

    @Test
    void chunkedUploadStaysChunked() throws Exception {
        try (TestBackend backend = TestBackend.http(() -> new InfoHandler("sink"));
             RawHttp client = new RawHttp(gateway.port())) {
            StringBuilder request = new StringBuilder("POST /chunks HTTP/1.1\r\nHost: " + backend.port()
                    + "-box.localhost\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (String piece : new String[] {"hello ", "chunked ", "world"}) {
                request.append(Integer.toHexString(piece.length())).append("\r\n").append(piece).append("\r\n");
            }
            RawHttp.Response response = client.exchange(request.append("0\r\n\r\n").toString());
            Map<String, String> seen = InfoHandler.parse(response.body());
            assertEquals("19", seen.get("body-bytes"));
            assertEquals("chunked", seen.get("header.transfer-encoding"));
        }
    }

    @Test
    void oneGibDownloadArrivesIntact() throws Exception {
        try (TestBackend backend = TestBackend.http(() -> new DownloadHandler(new CountDownLatch(1), sent -> { }));
             RawHttp client = new RawHttp(gateway.port(), 60_000)) {
            client.send(RawHttp.get(backend.port() + "-box.localhost", "/bytes?size=" + GIB + "&seed=11"));
            StreamingDigest digest = new StreamingDigest();
            RawHttp.Response response = client.readResponse(false, digest::update);
            assertEquals(200, response.status());
            assertTrue(response.complete());
            assertEquals(GIB, digest.bytes());
            assertEquals(PatternBody.sha256(11, GIB), digest.hex());
        }
    }

    @Test
    void chunkedDownloadArrivesIntact() throws Exception {
        long size = 48 * MIB + 12345;
        try (TestBackend backend = TestBackend.http(() -> new DownloadHandler(new CountDownLatch(1), sent -> { }));
             RawHttp client = new RawHttp(gateway.port(), 60_000)) {
            client.send(RawHttp.get(backend.port() + "-box.localhost", "/bytes?chunked=true&seed=3&size=" + size));
            StreamingDigest digest = new StreamingDigest();
            RawHttp.Response response = client.readResponse(false, digest::update);
            assertEquals("chunked", response.header("transfer-encoding"));
            assertTrue(response.complete());
            assertEquals(PatternBody.sha256(3, size), digest.hex());
        }
    }

    @Test
    void slowReaderHoldsBackTheSandboxInsteadOfFillingMemory() throws Exception {
        CountDownLatch backendBlocked = new CountDownLatch(1);
        CountDownLatch overran = new CountDownLatch(1);
        try (TestBackend backend = TestBackend.http(() -> new DownloadHandler(backendBlocked,
                     DownloadHandler.past(256 * MIB, overran)));
             RawHttp client = new RawHttp(gateway.port(), 60_000)) {
            client.send(RawHttp.get(backend.port() + "-box.localhost", "/bytes?size=" + GIB + "&seed=5"));
            // The client reads nothing: the gateway must stop reading the sandbox, which then cannot write.
            assertTrue(backendBlocked.await(30, TimeUnit.SECONDS), "the sandbox never had to wait");
            // Loopback moves 256 MiB in well under this; a gateway that kept reading would let the sandbox do so.
            assertFalse(overran.await(3, TimeUnit.SECONDS), "the sandbox wrote 256 MiB to a client reading nothing");
            long held = gatewayBufferMemory();
            assertTrue(held < 64 * MIB, "gateway buffers hold " + held / MIB + " MiB for a slow reader");

            StreamingDigest digest = new StreamingDigest();
            RawHttp.Response response = client.readResponse(false, digest::update);
            assertTrue(response.complete());
            assertEquals(PatternBody.sha256(5, GIB), digest.hex());
        }
    }

    @Test
    void serverSentEventsArriveAsTheSandboxWritesThem() throws Exception {
        CompletableFuture<Void> sendSecond = new CompletableFuture<>();
        try (TestBackend backend = TestBackend.http(() -> new SseHandler(sendSecond));
             RawHttp client = new RawHttp(gateway.port())) {
            client.send("GET /events HTTP/1.1\r\nHost: " + backend.port() + "-box.localhost\r\nAccept: text/event-stream\r\n\r\n");
            assertEquals("HTTP/1.1 200 OK", client.readLine());
            String line;
            while (!(line = client.readLine()).isEmpty()) {
                assertTrue(!line.toLowerCase().startsWith("content-length"), "an event stream has no length");
            }
            assertTrue(readUntilData(client).equals("data: first"), "the first event arrived before the second was sent");
            sendSecond.complete(null);
            assertEquals("data: second", readUntilData(client));
        }
    }

    private static String readUntilData(RawHttp client) throws Exception {
        String line;
        do {
            line = client.readLine();
        } while (line != null && !line.startsWith("data: "));
        return line == null ? "" : new String(line.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
}
