package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.GatewayFixture;
import dev.sandboxgateway.gateway.testing.RawHttp;
import dev.sandboxgateway.gateway.testing.ScriptedResponder;
import dev.sandboxgateway.gateway.testing.ScriptedResponder.Then;
import dev.sandboxgateway.gateway.testing.TestBackend;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Response status lines written from the pre-encoded table are exactly what Netty would write. */
class StatusLinesTest {

    private static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = GatewayFixture.start(Map.of()).register("box");
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void everyStandardStatusMatchesNettysEncoding() {
        int cached = 0;
        for (HttpVersion version : new HttpVersion[] {HttpVersion.HTTP_1_1, HttpVersion.HTTP_1_0}) {
            for (int code = 100; code <= 599; code++) {
                HttpResponseStatus status = HttpResponseStatus.valueOf(code);
                byte[] line = StatusLines.of(version, status);
                if (line != null) {
                    assertArrayEquals(nettyStatusLine(version, status), line, version + " " + status);
                    cached++;
                }
            }
        }
        assertTrue(cached > 100, "only " + cached + " lines came from the table");
        for (HttpResponseStatus common : new HttpResponseStatus[] {HttpResponseStatus.OK,
                HttpResponseStatus.SWITCHING_PROTOCOLS, HttpResponseStatus.NOT_MODIFIED, HttpResponseStatus.NOT_FOUND,
                HttpResponseStatus.BAD_GATEWAY, HttpResponseStatus.SERVICE_UNAVAILABLE}) {
            assertNotNull(StatusLines.of(HttpVersion.HTTP_1_1, common), common.toString());
            assertNotNull(StatusLines.of(HttpVersion.HTTP_1_0, common), common.toString());
        }
    }

    @Test
    void aReasonPhraseOfItsOwnOrAnotherVersionIsNotInTheTable() {
        assertNull(StatusLines.of(HttpVersion.HTTP_1_1, new HttpResponseStatus(200, "Fine")));
        assertNull(StatusLines.of(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(299)));
        assertNull(StatusLines.of(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(99)));
        assertNull(StatusLines.of(new HttpVersion("HTTP/1.2", true), HttpResponseStatus.OK));
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/1.1 200 OK", "HTTP/1.1 200 Fine", "HTTP/1.1 299 Custom", "HTTP/1.1 404 Not Found",
            "HTTP/1.1 503 "})
    void theSandboxsStatusLineReachesTheClientAsSent(String statusLine) throws Exception {
        try (TestBackend backend = TestBackend.raw(() -> new ScriptedResponder(
                statusLine + "\r\nContent-Length: 2\r\n\r\nok", Then.HANG));
             RawHttp client = new RawHttp(gateway.port())) {
            client.send(RawHttp.get(backend.port() + "-box.localhost", "/"));
            assertEquals(statusLine, client.readLine());
        }
    }

    private static byte[] nettyStatusLine(HttpVersion version, HttpResponseStatus status) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpResponseEncoder());
        channel.writeOutbound(new DefaultHttpResponse(version, status));
        ByteBuf encoded = channel.readOutbound();
        try {
            byte[] head = ByteBufUtil.getBytes(encoded);
            int end = 0;
            while (head[end] != '\n') {
                end++;
            }
            return Arrays.copyOf(head, end + 1);
        } finally {
            encoded.release();
            channel.finishAndReleaseAll();
        }
    }
}
