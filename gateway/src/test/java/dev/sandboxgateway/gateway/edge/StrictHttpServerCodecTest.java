package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.config.GatewayConfig;
import dev.sandboxgateway.gateway.request.ClientLimits;
import dev.sandboxgateway.gateway.request.TrustedProxies;
import dev.sandboxgateway.gateway.transport.DecodedHeaderNames;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** How client requests are cut into messages (the refusals are end to end, in SmugglingTest). */
@Tag("unit")
class StrictHttpServerCodecTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final List<Object> read = new ArrayList<>();
    /** Times the decoder asked the socket to acknowledge at once. */
    private int ackRequests;

    StrictHttpServerCodecTest() {
        // Only the timeouts are read from the context here, and no test runs long enough to reach them.
        EdgeContext edge = new EdgeContext(null, null, new EdgeContext.Live(null, ClientLimits.NONE,
                new GatewayConfig.Timeouts(MINUTE, MINUTE, MINUTE, MINUTE), Duration.ZERO, new TrustedProxies(List.of()),
                Duration.ZERO));
        new StrictHttpServerCodec(DecodedHeaderNames.uncheckedHeaders(new HttpDecoderConfig()), 100,
                ClientTimeouts.forConnection(edge), socket -> ackRequests++)
                .addLast(channel.pipeline());
        channel.pipeline().fireChannelActive();
    }

    @AfterEach
    void release() {
        read.forEach(ReferenceCountUtil::release);
        channel.finishAndReleaseAll();
    }

    @Test
    void aRequestWithoutABodyIsOneMessage() {
        receive("GET /a?b=c HTTP/1.1\r\nHost: x.test\r\nAccept: */*\r\n\r\n");

        assertEquals(1, read.size());
        FullHttpRequest request = assertInstanceOf(FullHttpRequest.class, read.get(0));
        assertEquals(HttpMethod.GET, request.method());
        assertEquals("/a?b=c", request.uri());
        assertEquals("x.test", request.headers().get("Host"));
        assertFalse(request.content().isReadable());
        assertTrue(request.decoderResult().isSuccess());
    }

    @Test
    void pipelinedRequestsArriveWholeOneByOne() {
        receive("GET /1 HTTP/1.1\r\nHost: x.test\r\n\r\nHEAD /2 HTTP/1.1\r\nHost: x.test\r\n\r\n");

        assertEquals(2, read.size());
        assertEquals("/1", assertInstanceOf(FullHttpRequest.class, read.get(0)).uri());
        assertEquals(HttpMethod.HEAD, assertInstanceOf(FullHttpRequest.class, read.get(1)).method());
    }

    @Test
    void aBodyIsStreamedAfterItsHead() {
        receive("POST /upload HTTP/1.1\r\nHost: x.test\r\nContent-Length: 2\r\n\r\nhi");

        assertEquals(2, read.size());
        assertFalse(read.get(0) instanceof HttpContent, "the head goes on alone");
        LastHttpContent body = assertInstanceOf(LastHttpContent.class, read.get(1));
        assertEquals("hi", body.content().toString(StandardCharsets.US_ASCII));
    }

    @Test
    void aRefusedRequestKeepsItsFailureAndIsNotJoined() {
        receive("GET / HTTP/1.1\r\nHost: x.test\r\nHost: y.test\r\n\r\n");

        HttpRequest request = assertInstanceOf(HttpRequest.class, read.get(0));
        assertTrue(request.decoderResult().isFailure());
        assertFalse(request instanceof FullHttpRequest);
    }

    @Test
    void aWholeRequestAsksForNoAcknowledgement() {
        receive("GET /1 HTTP/1.1\r\nHost: x.test\r\n\r\n");
        receive("POST /2 HTTP/1.1\r\nHost: x.test\r\nContent-Length: 2\r\n\r\nhi");

        assertEquals(3, read.size());
        assertEquals(0, ackRequests, "the response acknowledges a whole request");
    }

    @Test
    void partOfAHeadAsksForAnAcknowledgementOnce() {
        receive("GET /1 HT");
        assertEquals(1, ackRequests, "the start of a request line, still buffered");
        receive("TP/1.1\r\nHost: x.test\r\n");
        receive("Accept: */*\r\n\r\n");

        assertEquals(1, ackRequests, "the socket acknowledges at once until the gateway answers");
        assertEquals("/1", assertInstanceOf(FullHttpRequest.class, read.get(0)).uri());
    }

    @Test
    void wholeLinesOfAHeadAskForAnAcknowledgement() {
        receive("GET /1 HTTP/1.1\r\nHost: x.test\r\n");

        assertEquals(1, ackRequests);
        assertTrue(read.isEmpty());
    }

    @Test
    void aBodyStillToComeAsksOncePerRequest() {
        receive("POST /1 HTTP/1.1\r\nHost: x.test\r\nContent-Length: 4\r\n\r\nhi");
        assertEquals(1, ackRequests);
        receive("hi");
        assertEquals(1, ackRequests);
        assertInstanceOf(LastHttpContent.class, read.get(read.size() - 1));

        receive("POST /2 HTTP/1.1\r\nHost: x.test\r\nContent-Length: 4\r\n\r\n");
        assertEquals(2, ackRequests, "the next request that arrives in parts asks again");
    }

    /** Delivers the bytes as one read, as the socket would. */
    private void receive(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
        for (Object message; (message = channel.readInbound()) != null; ) {
            read.add(message);
        }
    }
}
