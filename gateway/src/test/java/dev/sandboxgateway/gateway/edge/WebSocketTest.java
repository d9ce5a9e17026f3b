package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.PatternBody;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.gateway.testing.WebSocketEchoBackend;
import dev.sandboxgateway.routing.registry.WritableSandboxRegistry;
import dev.sandboxgateway.testing.Eventually;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** WebSocket through the gateway with the JDK's client: the tunnel relays frames it never decodes. */
class WebSocketTest {

    private final CompletableFuture<Integer> clientCloseSeenByBackend = new CompletableFuture<>();
    private final BlockingQueue<String> receivedByBackend = new LinkedBlockingQueue<>();
    private TestBackend backend;
    private GatewayFixture gateway;

    @BeforeEach
    void start() throws Exception {
        backend = WebSocketEchoBackend.start(clientCloseSeenByBackend, receivedByBackend);
        gateway = GatewayFixture.start(Map.of()).register("box");
    }

    @AfterEach
    void stop() {
        gateway.close();
        backend.close();
    }

    /** Collects whole messages and the close the client receives. */
    private static class Collector implements WebSocket.Listener {
        final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.writeBytes(bytes);
            if (last) {
                messages.add(binary.toByteArray());
                binary.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
        }

        Object next() throws InterruptedException {
            Object message = messages.poll(20, TimeUnit.SECONDS);
            assertTrue(message != null, "no message within 20 s");
            return message;
        }
    }

    private WebSocket connect(Collector collector) {
        // The JDK client picks the Host header itself, so it reaches the sandbox through a shared
        // host with routing headers; wildcard hosts are covered in the browser test.
        return HttpClient.newHttpClient().newWebSocketBuilder()
                .header("X-Sandbox-Id", "box")
                .header("X-Sandbox-Port", Integer.toString(backend.port()))
                .buildAsync(URI.create("ws://localhost:" + gateway.port() + "/ws"), collector)
                .orTimeout(20, TimeUnit.SECONDS)
                .join();
    }

    @Test
    void textAndBinaryMessagesAreEchoed() throws Exception {
        Collector collector = new Collector();
        WebSocket ws = connect(collector);
        ws.sendText("hello, sandbox", true).join();
        assertEquals("hello, sandbox", collector.next());
        byte[] payload = {0, 1, 2, (byte) 0xff, 10, 13};
        ws.sendBinary(ByteBuffer.wrap(payload), true).join();
        assertArrayEquals(payload, (byte[]) collector.next());
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    }

    @Test
    void largeMessagesAreEchoedIntact() throws Exception {
        Collector collector = new Collector();
        WebSocket ws = connect(collector);
        byte[] payload = new byte[8 * 1024 * 1024];
        PatternBody.fill(9, 0, payload, payload.length);
        ws.sendBinary(ByteBuffer.wrap(payload), true).join();
        assertArrayEquals(payload, (byte[]) collector.next());
        String text = "x".repeat(1024 * 1024);
        ws.sendText(text, true).join();
        assertEquals(text, collector.next());
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    }

    @Test
    void closeFromTheClientReachesTheSandbox() throws Exception {
        Collector collector = new Collector();
        WebSocket ws = connect(collector);
        ws.sendText("ping", true).join();
        assertEquals("ping", collector.next());
        ws.sendClose(4001, "client leaving").join();
        assertEquals(4001, clientCloseSeenByBackend.get(20, TimeUnit.SECONDS));
        assertEquals("4001 client leaving", collector.closed.get(20, TimeUnit.SECONDS));
    }

    @Test
    void closeFromTheSandboxReachesTheClientAndClosesTheTunnel() throws Exception {
        Collector collector = new Collector();
        WebSocket ws = connect(collector);
        ws.sendText("close-please", true).join();
        assertEquals("1000 bye", collector.closed.get(20, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (gateway.gateway().metrics().registry().get("gateway.websocket.tunnels.active").gauge().value() > 0
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(0.0, gateway.gateway().metrics().registry().get("gateway.websocket.tunnels.active").gauge().value());
    }

    @Test
    void upgradeRefusedByTheSandboxIsAnOrdinaryResponse() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            // Netty's handshaker refuses a handshake without a key, with a body delimited by close.
            RawHttp.Response response = client.exchange("GET /ws HTTP/1.1\r\nHost: " + backend.port()
                    + "-box.localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
            assertEquals(400, response.status());
            assertEquals("chunked", response.header("transfer-encoding"),
                    "a body the sandbox delimited by closing is re-framed so the client connection survives");
            assertTrue(response.complete());
            assertTrue(response.text().startsWith("Missing origin header"), response.text());
        }
    }

    @Test
    void drainingTellsTheClient1012AndTheSandbox1001() throws Exception {
        Collector collector = new Collector();
        WebSocket ws = connect(collector);
        ws.sendText("before the drain", true).join();
        assertEquals("before the drain", collector.next());
        CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(
                () -> gateway.gateway().shutdown(Duration.ofSeconds(20)));
        assertEquals("1012 gateway restarting, reconnect", collector.closed.get(20, TimeUnit.SECONDS),
                "the client learns it may reconnect at once, instead of an abnormal 1006");
        assertEquals(1001, clientCloseSeenByBackend.get(20, TimeUnit.SECONDS), "the sandbox is told too");
        assertTrue(drained.get(20, TimeUnit.SECONDS), "the tunnel closed within the drain");
    }

    @Test
    void aRemovedSandboxsClientsGet1001WithTheReason() throws Exception {
        Collector collector = new Collector();
        connect(collector);
        ((WritableSandboxRegistry) gateway.gateway().registry()).remove("box").join();
        assertEquals("1001 sandbox removed, stopped or moved", collector.closed.get(20, TimeUnit.SECONDS));
        assertEquals(1001, clientCloseSeenByBackend.get(20, TimeUnit.SECONDS));
    }

    @Test
    void aMessageSplitAcrossReadsAroundTheInjectedCloseArrivesWhole() throws Exception {
        byte[] frame = RawHttp.maskedTextFrame("hello, split across two reads");
        int half = frame.length / 2 + 3;
        try (RawHttp client = new RawHttp(gateway.port(), 20_000)) {
            assertEquals(101, client.upgradeToWebSocket(backend.port() + "-box.localhost").status());
            double before = receivedBytes();
            client.send(Arrays.copyOfRange(frame, 0, half));
            Eventually.await("the gateway read the first half", Duration.ofSeconds(10),
                    () -> receivedBytes() >= before + half);
            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(
                    () -> gateway.gateway().shutdown(Duration.ofSeconds(20)));
            client.send(Arrays.copyOfRange(frame, half, frame.length));
            assertEquals("hello, split across two reads", receivedByBackend.poll(20, TimeUnit.SECONDS),
                    "the frame under way was finished before the close went in");
            assertEquals(1001, clientCloseSeenByBackend.get(20, TimeUnit.SECONDS));
            assertTrue(drained.get(20, TimeUnit.SECONDS));
        }
    }

    private double receivedBytes() {
        return gateway.gateway().metrics().registry().get("gateway.client.received").counter().count();
    }

    @Test
    void aQuietTunnelsClientIsPingedAndItsPongsLeaveTheStreamIntact() throws Exception {
        try (GatewayFixture pinging = GatewayFixture.start(Map.of("GATEWAY_WEB_SOCKET_PING_INTERVAL", "200ms"))
                .register("box")) {
            BlockingQueue<String> pingsSeen = new LinkedBlockingQueue<>();
            Collector collector = new Collector() {
                @Override
                public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
                    pingsSeen.add(StandardCharsets.US_ASCII.decode(message).toString());
                    ws.request(1);
                    // The JDK's client answers every ping with a pong by itself.
                    return null;
                }
            };
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .header("X-Sandbox-Id", "box")
                    .header("X-Sandbox-Port", Integer.toString(backend.port()))
                    .buildAsync(URI.create("ws://localhost:" + pinging.port() + "/ws"), collector)
                    .orTimeout(20, TimeUnit.SECONDS)
                    .join();
            for (int i = 0; i < 2; i++) {
                assertEquals("sandbox-gateway", pingsSeen.poll(10, TimeUnit.SECONDS), "ping " + (i + 1));
            }
            ws.sendText("after the pongs", true).join();
            assertEquals("after the pongs", collector.next(), "the sandbox got the text whole, and no pong broke it");
        }
    }
}
