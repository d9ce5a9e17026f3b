package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.ScriptedResponder;
import dev.sandboxgateway.gateway.testing.ScriptedResponder.Then;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.routing.registry.InMemorySandboxRegistry;
import dev.sandboxgateway.routing.registry.RegistryListener;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.registry.SandboxRegistry;
import dev.sandboxgateway.routing.registry.Subscription;
import dev.sandboxgateway.testing.Eventually;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sandboxes that refuse, hang, reset or talk nonsense; the client always learns what happened. */
class BackendFaultsTest {

    private static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = GatewayFixture.start(Map.of(
                "GATEWAY_BACKEND_RESPONSE_TIMEOUT", "300ms",
                "GATEWAY_BACKEND_CONNECT_TIMEOUT", "300ms")).register("box");
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static RawHttp.Response get(int port) throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            return client.exchange(RawHttp.get(port + "-box.localhost", "/"));
        }
    }

    @Test
    void hangingBackendIs504AfterTheResponseTimeout() throws Exception {
        try (TestBackend hanging = TestBackend.raw(() -> new ScriptedResponder("", Then.HANG))) {
            RawHttp.Response response = get(hanging.port());
            assertEquals(504, response.status());
            assertEquals("backend_response_timeout", response.header("x-gateway-error"));
            assertTrue(response.text().contains("did not start its response within 300 ms"), response.text());
        }
    }

    @Test
    void backendThatAcceptsNothingIs504AfterTheConnectTimeout() throws Exception {
        // A listener whose accept queue is full drops new SYNs, so connects to it hang: a sandbox
        // that is overloaded or behind a black hole, without leaving loopback.
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = new ArrayList<>();
            try {
                boolean full = false;
                for (int i = 0; i < 64 && !full; i++) {
                    Socket filler = new Socket();
                    fillers.add(filler);
                    try {
                        filler.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()), 200);
                    } catch (SocketTimeoutException e) {
                        full = true;
                    }
                }
                assertTrue(full, "could not fill the accept queue");
                RawHttp.Response response = get(listener.getLocalPort());
                assertEquals(504, response.status());
                assertEquals("backend_connect_timeout", response.header("x-gateway-error"));
            } finally {
                for (Socket filler : fillers) {
                    filler.close();
                }
            }
        }
    }

    @Test
    void backendClosingWithoutAResponseIs502() throws Exception {
        try (TestBackend closing = TestBackend.raw(() -> new ScriptedResponder("", Then.CLOSE))) {
            RawHttp.Response response = get(closing.port());
            assertEquals(502, response.status());
            assertEquals("backend_closed", response.header("x-gateway-error"));
        }
    }

    @Test
    void bytesPastTheEndOfAResponseRetireTheConnection() throws Exception {
        try (TestBackend sloppy = TestBackend.raw(() -> new ScriptedResponder(
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\nContent-Le", Then.HANG))) {
            RawHttp.Response first = get(sloppy.port());
            assertEquals(200, first.status());
            assertEquals("hello", first.text());
            Eventually.await("the poisoned connection is closed", Duration.ofSeconds(5), () -> sloppy.openConnections() == 0);
            RawHttp.Response second = get(sloppy.port());
            assertEquals(200, second.status(), "the next request must not be answered by the leftover bytes");
            assertEquals("hello", second.text());
            assertEquals(2, sloppy.acceptedConnections());
        }
    }

    @Test
    void responseWithAmbiguousFramingIs502AndTheConnectionClosed() throws Exception {
        try (TestBackend ambiguous = TestBackend.raw(() -> new ScriptedResponder(
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", Then.HANG))) {
            RawHttp.Response response = get(ambiguous.port());
            assertEquals(502, response.status());
            assertEquals("backend_bad_response", response.header("x-gateway-error"));
            Eventually.await("the connection is closed", Duration.ofSeconds(5), () -> ambiguous.openConnections() == 0);
        }
    }

    @Test
    void malformedResponseIs502() throws Exception {
        try (TestBackend garbage = TestBackend.raw(() -> new ScriptedResponder("SSH-2.0-OpenSSH_9.2\r\n\r\n", Then.HANG))) {
            RawHttp.Response response = get(garbage.port());
            assertEquals(502, response.status());
            assertEquals("backend_bad_response", response.header("x-gateway-error"));
        }
    }

    @Test
    void responseHeaderNameThatIsNotATokenIs502() throws Exception {
        String response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nSet-Cookie(x): a=b\r\n\r\nok";
        try (TestBackend invalid = TestBackend.raw(() -> new ScriptedResponder(response, Then.HANG))) {
            RawHttp.Response relayed = get(invalid.port());
            assertEquals(502, relayed.status());
            assertEquals("backend_bad_response", relayed.header("x-gateway-error"));
        }
    }

    @Test
    void resetMidBodyWithContentLengthIsNeverSeenAsComplete() throws Exception {
        String partial = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(1000);
        try (TestBackend resetting = TestBackend.raw(() -> new ScriptedResponder(partial, Then.RESET))) {
            try (RawHttp client = new RawHttp(gateway.port())) {
                RawHttp.Response response = client.exchange(RawHttp.get(resetting.port() + "-box.localhost", "/"));
                assertEquals(200, response.status());
                assertFalse(response.complete(), "the client must see the body cut short");
                assertTrue(response.body().length < 100000);
                assertTrue(client.closedByPeer());
            }
        }
    }

    @Test
    void closeMidChunkedBodyNeverSendsTheLastChunk() throws Exception {
        String partial = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n";
        try (TestBackend closing = TestBackend.raw(() -> new ScriptedResponder(partial, Then.CLOSE))) {
            try (RawHttp client = new RawHttp(gateway.port())) {
                RawHttp.Response response = client.exchange(RawHttp.get(closing.port() + "-box.localhost", "/"));
                assertEquals(200, response.status());
                assertFalse(response.complete(), "no terminating chunk may be sent for a broken body");
                assertEquals("hello", response.text());
            }
        }
    }

    @Test
    void registryFailureIs503NotNotFound() throws Exception {
        SandboxRegistry failing = new FailingRegistry();
        try (GatewayFixture broken = GatewayFixture.start(Map.of(), failing);
             RawHttp client = new RawHttp(broken.port())) {
            RawHttp.Response response = client.exchange(RawHttp.get("3000-box.localhost", "/"));
            assertEquals(503, response.status());
            assertEquals("registry_unavailable", response.header("x-gateway-error"));
        }
    }

    /** A registry that cannot be reached. */
    private static final class FailingRegistry implements SandboxRegistry {
        private final InMemorySandboxRegistry events = new InMemorySandboxRegistry();

        @Override
        public CompletableFuture<Optional<SandboxRecord>> lookup(String sandboxId) {
            return CompletableFuture.failedFuture(new IOException("registry unreachable"));
        }

        @Override
        public CompletableFuture<List<SandboxRecord>> list() {
            return CompletableFuture.failedFuture(new IOException("registry unreachable"));
        }

        @Override
        public Subscription subscribe(RegistryListener listener) {
            return events.subscribe(listener);
        }

        @Override
        public String kind() {
            return "failing";
        }

        @Override
        public boolean isAvailable() {
            return false;
        }

        @Override
        public void close() {
        }
    }
}
