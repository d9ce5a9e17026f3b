package dev.sandboxgateway.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.InfoHandler;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.TestBackend;
import dev.sandboxgateway.routing.host.SandboxTarget;
import dev.sandboxgateway.routing.policy.GatewayError;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.registry.SandboxState;
import dev.sandboxgateway.testing.UnusedPorts;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every refusal the gateway itself makes, with its status, stable code, JSON body or browser page. */
class ErrorResponsesTest {

    private static TestBackend backend;
    private static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.http(() -> new InfoHandler("web"));
        gateway = GatewayFixture.start(Map.of("GATEWAY_SERVER_MAX_INITIAL_LINE_LENGTH", "1024",
                        "GATEWAY_SERVER_MAX_HEADER_SIZE", "2048"))
                .register("running")
                .register(SandboxRecord.running("paused", "127.0.0.1").withState(SandboxState.PAUSED))
                .register(SandboxRecord.running("starting", "127.0.0.1").withState(SandboxState.STARTING))
                .register(SandboxRecord.running("stopped", "127.0.0.1").withState(SandboxState.STOPPED))
                .register(SandboxRecord.running("fenced", "127.0.0.1").withAllowedPorts(Set.of(backend.port())));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    private static RawHttp.Response request(String raw) throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            return client.exchange(raw);
        }
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource({
            "BAD-HOST.example.com,    400, invalid_host",
            "3000-running.example.com, 400, invalid_host",
            "03000-running.localhost, 400, invalid_host",
            "3000-nosuch.localhost,   404, sandbox_not_found",
            "3000-paused.localhost,   503, sandbox_paused",
            "3000-starting.localhost, 503, sandbox_starting",
            "3000-stopped.localhost,  503, sandbox_stopped",
            "3000-fenced.localhost,   403, port_not_allowed",
    })
    void routingRefusalsHaveTheirOwnStatusAndCode(String host, int status, String code) throws Exception {
        RawHttp.Response response = request(RawHttp.get(host, "/"));
        assertEquals(status, response.status());
        assertEquals(code, response.header("x-gateway-error"));
        assertEquals("application/json", response.header("content-type"));
        assertTrue(response.text().startsWith("{\"code\":\"" + code + "\",\"message\":\""), response.text());
    }

    @Test
    void jsonBodyNamesSandboxAndPort() throws Exception {
        RawHttp.Response response = request(RawHttp.get("3000-nosuch.localhost", "/"));
        String requestId = response.header("x-request-id");
        assertTrue(requestId != null && requestId.matches("[0-9a-f]{32}"), "X-Request-Id: " + requestId);
        assertEquals("{\"code\":\"sandbox_not_found\",\"message\":\"There is no sandbox nosuch.\","
                + "\"sandboxId\":\"nosuch\",\"port\":3000,\"requestId\":\"" + requestId + "\"}", response.text());
    }

    @Test
    void invalidHostMessageSaysWhichPartIsWrong() throws Exception {
        RawHttp.Response response = request(RawHttp.get("99999-running.localhost", "/"));
        assertTrue(response.text().contains("Port 99999 is out of range 1-65535"), response.text());
    }

    @Test
    void browsersGetAPageSayingWhatHappenedAndWhatToDo() throws Exception {
        RawHttp.Response response = request("GET / HTTP/1.1\r\nHost: 3000-paused.localhost\r\n"
                + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\r\n");
        assertEquals(503, response.status());
        assertEquals("text/html; charset=utf-8", response.header("content-type"));
        String page = response.text();
        assertTrue(page.contains("<title>Sandbox is paused</title>"), page);
        assertTrue(page.contains("Sandbox paused is paused."), page);
        assertTrue(page.contains("Resume the sandbox"), page);
        assertTrue(page.contains("<dd>3000</dd>") && page.contains("<dd>paused</dd>"), page);
        assertTrue(page.contains("<dt>Request id</dt><dd>" + response.header("x-request-id") + "</dd>"), page);
        assertTrue(page.contains("quote the request id"), page);
        assertFalse(page.contains("<script") || page.contains("http://") || page.contains("https://"),
                "the page is self-contained");
    }

    @Test
    void renderedPagesEscapeEveryFieldAndCountBytesNotChars() {
        String message = "Sandbox “<b>é</b>” & co said 'no'.";
        for (boolean html : new boolean[] {true, false}) {
            FullHttpResponse response = new ErrorResponses().render(ByteBufAllocator.DEFAULT, GatewayError.SANDBOX_NOT_FOUND,
                    message, new SandboxTarget(3000, "sb<1>", null), "id<2>", html);
            try {
                String body = response.content().toString(StandardCharsets.UTF_8);
                assertEquals(body.getBytes(StandardCharsets.UTF_8).length,
                        response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH), body);
                assertFalse(body.contains("<b>") || body.contains("sb<1>") || body.contains("id<2>")
                        || body.contains("{{"), body);
                if (html) {
                    assertTrue(body.contains("Sandbox “&lt;b&gt;é&lt;/b&gt;” &amp; co said &#39;no&#39;."), body);
                    assertTrue(body.contains("<dt>Sandbox</dt><dd>sb&lt;1&gt;</dd><dt>Port</dt><dd>3000</dd>"), body);
                    assertTrue(body.contains("<dd>" + GatewayError.SANDBOX_NOT_FOUND.code() + "</dd>"), body);
                } else {
                    assertTrue(body.contains("\\u003cb\\u003eé"), body);
                }
            } finally {
                response.release();
            }
        }
    }

    @Test
    void errorsKeepTheConnectionAliveWhenTheRequestIsComplete() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            assertEquals(404, client.exchange(RawHttp.get("3000-nosuch.localhost", "/")).status());
            RawHttp.Response next = client.exchange(RawHttp.get(backend.port() + "-running.localhost", "/"));
            assertEquals(200, next.status());
        }
    }

    /** With the port startup wait off (here by the record), a refused connect is answered at once. */
    @Test
    void refusedConnectionIs502WithinASecondWithoutThePortStartupWait() throws Exception {
        int closedPort = UnusedPorts.next();
        gateway.register(SandboxRecord.running("running", "127.0.0.1").withPortStartupWaitMillis(0L));
        long start = System.nanoTime();
        RawHttp.Response response = request(RawHttp.get(closedPort + "-running.localhost", "/"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(502, response.status());
        assertEquals("backend_connection_refused", response.header("x-gateway-error"));
        assertTrue(response.text().contains("Nothing is listening on port " + closedPort + " in sandbox running"),
                response.text());
        assertTrue(millis < 1000, "took " + millis + " ms");
    }

    @Test
    void tooLongRequestLineIs414() throws Exception {
        RawHttp.Response response = request(RawHttp.get(backend.port() + "-running.localhost", "/" + "a".repeat(2000)));
        assertEquals(414, response.status());
        assertEquals("request_line_too_long", response.header("x-gateway-error"));
        assertEquals("close", response.header("connection"));
    }

    @Test
    void tooLargeHeadersAre431() throws Exception {
        RawHttp.Response response = request("GET / HTTP/1.1\r\nHost: " + backend.port() + "-running.localhost\r\n"
                + "Cookie: " + "c".repeat(3000) + "\r\n\r\n");
        assertEquals(431, response.status());
        assertEquals("request_headers_too_large", response.header("x-gateway-error"));
    }

    @Test
    void missingHostIs400() throws Exception {
        RawHttp.Response response = request("GET / HTTP/1.0\r\n\r\n");
        assertEquals(400, response.status());
        assertEquals("invalid_host", response.header("x-gateway-error"));
    }

    @Test
    void sharedHostWithoutRoutingHeadersNamesTheMissingHeader() throws Exception {
        RawHttp.Response response = request(RawHttp.get("localhost:8080", "/"));
        assertEquals(400, response.status());
        assertTrue(response.text().contains("X-Sandbox-Id"), response.text());
    }

    @Test
    void connectIsNotAllowed() throws Exception {
        RawHttp.Response response = request("CONNECT 10.0.0.1:22 HTTP/1.1\r\nHost: 10.0.0.1:22\r\n\r\n");
        assertEquals(405, response.status());
        assertEquals("method_not_allowed", response.header("x-gateway-error"));
    }

    @Test
    void requestWithABodyRejectedEarlyClosesTheConnection() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.exchange("POST / HTTP/1.1\r\nHost: 3000-nosuch.localhost\r\n"
                    + "Content-Length: 100000\r\n\r\n" + "x".repeat(100));
            assertEquals(404, response.status());
            assertEquals("close", response.header("connection"));
            assertTrue(client.closedByPeer(), "the unread body must not be parsed as a next request");
        }
    }

    @Test
    void gatewayErrorsNeverReachTheBackend() throws Exception {
        int before = backend.acceptedConnections();
        request(RawHttp.get(backend.port() + "-fenced.localhost", "/"));
        request(RawHttp.get((backend.port() + 1) + "-fenced.localhost", "/"));
        request(RawHttp.get(backend.port() + "-paused.localhost", "/"));
        assertEquals(before + 1, backend.acceptedConnections(), "only the allowed port was connected to");
    }
}
