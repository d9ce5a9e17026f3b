package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.LoopbackDnsServer;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.testing.Eventually;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sandboxes registered by host name: the name is resolved through {@code backend.dnsServers} (here a
 * DNS server on loopback) without blocking the event loop, so a DNS server that does not answer
 * delays only the requests that wait for it.
 */
class BackendNamesTest {

    private static LoopbackDnsServer dns;
    private static TestBackend backend;
    private static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        dns = new LoopbackDnsServer()
                .answer("app.backends.test", InetAddress.getLoopbackAddress())
                .ignore("hanging.backends.test");
        backend = TestBackend.http(() -> new InfoHandler("named"));
        // One event loop, so a loop blocked on DNS would hold every other request too.
        gateway = GatewayFixture.start(Map.of(
                "GATEWAY_SERVER_IO_THREADS", "1",
                "GATEWAY_BACKEND_CONNECT_TIMEOUT", "1s",
                "GATEWAY_BACKEND_DNS_SERVERS", dns.address()))
                .register(SandboxRecord.running("named", "app.backends.test"))
                .register(SandboxRecord.running("unknown", "nowhere.backends.test"))
                .register(SandboxRecord.running("hanging", "hanging.backends.test"))
                .register(SandboxRecord.running("hostsfile", "localhost"))
                .register("literal");
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        backend.close();
        dns.close();
    }

    private static RawHttp.Response get(String sandbox) {
        try (RawHttp client = new RawHttp(gateway.port(), 30_000)) {
            return client.exchange(RawHttp.get(backend.port() + "-" + sandbox + ".localhost", "/"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aHostNameIsResolvedThroughTheConfiguredServer() {
        RawHttp.Response response = get("named");
        assertEquals(200, response.status(), response.text());
        assertEquals("named", InfoHandler.parse(response.body()).get("backend"));
        assertTrue(dns.questions().contains("A app.backends.test."), dns.questions().toString());
    }

    @Test
    void aNameInTheHostsFileNeedsNoDns() {
        RawHttp.Response response = get("hostsfile");
        assertEquals(200, response.status(), response.text());
        assertFalse(dns.questions().stream().anyMatch(q -> q.contains("localhost")), dns.questions().toString());
    }

    @Test
    void aNameThatDoesNotResolveIs502WithItsOwnCode() {
        RawHttp.Response response = get("unknown");
        assertEquals(502, response.status(), response.text());
        assertEquals("backend_name_unresolved", response.header("x-gateway-error"));
        assertTrue(response.text().contains("nowhere.backends.test"), response.text());
    }

    @Test
    void aDnsServerThatDoesNotAnswerHoldsOnlyTheRequestsWaitingForIt() throws Exception {
        CompletableFuture<RawHttp.Response> waiting = CompletableFuture.supplyAsync(() -> get("hanging"));
        Eventually.await("the gateway asks for the hanging name", Duration.ofSeconds(10),
                () -> dns.questions().stream().anyMatch(q -> q.endsWith(" hanging.backends.test.")));

        RawHttp.Response other = get("literal");
        assertEquals(200, other.status(), other.text());
        assertFalse(waiting.isDone(), "the request for the hanging name was answered before the other one: "
                + "its lookup held the event loop");

        RawHttp.Response unresolved = waiting.get(30, TimeUnit.SECONDS);
        assertEquals(502, unresolved.status(), unresolved.text());
        assertEquals("backend_name_unresolved", unresolved.header("x-gateway-error"));
    }
}
