package dev.sandboxgateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.HoldingHandler;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.testing.Eventually;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** SIGTERM's path: stop accepting, finish what is in flight, close the rest. */
class GracefulShutdownTest {

    private static boolean refusesConnections(int port) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            } catch (ConnectException e) {
                return true;
            } catch (IOException e) {
                // A timeout: try again until the deadline.
            }
        }
        return false;
    }

    @Test
    void inFlightRequestCompletesWhileNewConnectionsAreRefused() throws Exception {
        CountDownLatch received = new CountDownLatch(1);
        CompletableFuture<Void> release = new CompletableFuture<>();
        try (TestBackend backend = TestBackend.http(() -> new HoldingHandler(received, release))) {
            GatewayFixture gateway = GatewayFixture.start(Map.of()).register("box");
            int port = gateway.port();
            int adminPort = gateway.adminPort();
            try (RawHttp inFlight = new RawHttp(port);
                 RawHttp idle = new RawHttp(port, 10_000)) {
                // One finished exchange makes it a kept-alive connection; a silent one may still be
                // held by the kernel (server.deferAccept), never handed to the gateway.
                RawHttp.Response notFound = idle.exchange(RawHttp.get("80-unknown.localhost", "/"));
                assertEquals(404, notFound.status());
                assertNotEquals("close", notFound.header("connection"), "the connection is kept alive");
                inFlight.send(RawHttp.get(backend.port() + "-box.localhost", "/slow"));
                assertTrue(received.await(10, TimeUnit.SECONDS));

                CompletableFuture<Boolean> shutdown = CompletableFuture.supplyAsync(
                        () -> gateway.gateway().shutdown(Duration.ofSeconds(20)));
                assertTrue(refusesConnections(port), "the gateway kept accepting connections while draining");
                assertTrue(idle.closedByPeer(), "an idle keep-alive connection is closed at once");
                HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + adminPort + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(503, ready.statusCode(), "a draining gateway is not ready");

                release.complete(null);
                RawHttp.Response response = inFlight.readResponse();
                assertEquals(200, response.status());
                assertEquals("done", response.text());
                assertTrue(response.complete());
                assertEquals("close", response.header("connection"), "the drained connection is not kept alive");
                assertTrue(shutdown.get(20, TimeUnit.SECONDS), "every in-flight request finished within the drain time");
            }
            assertThrows(IOException.class, () -> new Socket("127.0.0.1", adminPort).close());
        }
    }

    @Test
    void requestsStillInFlightAtTheDeadlineAreCut() throws Exception {
        CountDownLatch received = new CountDownLatch(1);
        try (TestBackend backend = TestBackend.http(() -> new HoldingHandler(received, new CompletableFuture<>()))) {
            GatewayFixture gateway = GatewayFixture.start(Map.of()).register("box");
            try (RawHttp inFlight = new RawHttp(gateway.port())) {
                inFlight.send(RawHttp.get(backend.port() + "-box.localhost", "/never"));
                assertTrue(received.await(10, TimeUnit.SECONDS));
                assertEquals(false, gateway.gateway().shutdown(Duration.ofMillis(300)));
                assertTrue(inFlight.closedByPeer());
            }
        }
    }

    /** The status of {@code /readyz}, or -1 when it could not be asked. */
    private static int readiness(int adminPort) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + adminPort + "/readyz")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Test
    void duringTheReadinessGraceItIsNotReadyYetServesNewConnectionsThenDrains() throws Exception {
        CountDownLatch received = new CountDownLatch(1);
        CompletableFuture<Void> release = new CompletableFuture<>();
        try (TestBackend holding = TestBackend.http(() -> new HoldingHandler(received, release));
             TestBackend info = TestBackend.http(() -> new InfoHandler("info"))) {
            GatewayFixture gateway = GatewayFixture.start(Map.of("GATEWAY_SHUTDOWN_READINESS_GRACE", "3s"))
                    .register("box");
            int port = gateway.port();
            try (RawHttp inFlight = new RawHttp(port)) {
                inFlight.send(RawHttp.get(holding.port() + "-box.localhost", "/slow"));
                assertTrue(received.await(10, TimeUnit.SECONDS));

                CompletableFuture<Boolean> shutdown = CompletableFuture.supplyAsync(
                        () -> gateway.gateway().shutdown(Duration.ofSeconds(20)));
                Eventually.await("/readyz turns 503 as soon as the shutdown starts", Duration.ofSeconds(5),
                        () -> readiness(gateway.adminPort()) == 503);
                long notReady = System.nanoTime();
                for (int i = 0; i < 10; i++) {
                    try (RawHttp fresh = new RawHttp(port)) {
                        assertEquals(200, fresh.exchange(RawHttp.get(info.port() + "-box.localhost", "/")).status(),
                                "a new connection during the grace");
                    }
                }
                assertTrue(System.nanoTime() - notReady < TimeUnit.SECONDS.toNanos(3),
                        "the requests above were all sent within the grace");
                assertTrue(refusesConnections(port), "the gateway stops accepting once the grace is over");

                release.complete(null);
                RawHttp.Response response = inFlight.readResponse();
                assertEquals(200, response.status());
                assertEquals("done", response.text());
                assertTrue(shutdown.get(20, TimeUnit.SECONDS), "every in-flight request finished");
            }
        }
    }
}
