package dev.sandboxgateway.gateway.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.transport.DecodedHeaderNames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** How sandbox responses are cut into messages on a pooled connection. */
@Tag("unit")
class BackendHttpCodecTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final List<Object> read = new ArrayList<>();

    BackendHttpCodecTest() {
        new BackendHttpCodec(DecodedHeaderNames.uncheckedHeaders(new HttpDecoderConfig())).addLast(channel.pipeline());
    }

    @AfterEach
    void release() {
        read.forEach(ReferenceCountUtil::release);
        channel.finishAndReleaseAll();
    }

    @Test
    void aBodyThatArrivedWithItsHeadIsOneMessage() {
        send(HttpMethod.GET);
        receive("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello");

        assertEquals(1, read.size());
        FullHttpResponse response = assertInstanceOf(FullHttpResponse.class, read.get(0));
        assertEquals(200, response.status().code());
        assertEquals("1", response.headers().get("X-A"));
        assertEquals("hello", response.content().toString(StandardCharsets.US_ASCII));
    }

    @Test
    void aBodyStillOnItsWayIsNotWaitedFor() {
        send(HttpMethod.GET);
        receive("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");

        assertEquals(2, read.size());
        assertFalse(read.get(0) instanceof HttpContent, "the head goes on at once, alone");
        HttpContent part = assertInstanceOf(HttpContent.class, read.get(1));
        assertFalse(part instanceof LastHttpContent);

        receive("world");
        assertEquals(3, read.size());
        LastHttpContent last = assertInstanceOf(LastHttpContent.class, read.get(2));
        assertEquals("world", last.content().toString(StandardCharsets.US_ASCII));
    }

    @Test
    void aHeadWhoseBodyIsInTheNextReadStaysAlone() {
        send(HttpMethod.GET);
        receive("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        assertEquals(1, read.size());
        assertFalse(read.get(0) instanceof HttpContent);

        receive("hello");
        assertEquals(2, read.size());
        assertInstanceOf(LastHttpContent.class, read.get(1));
    }

    @Test
    void anAnswerToHeadIsOneEmptyMessageAndTheNextResponseDecodes() {
        send(HttpMethod.HEAD);
        receive("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        FullHttpResponse head = assertInstanceOf(FullHttpResponse.class, read.get(0));
        assertEquals("5", head.headers().get("Content-Length"));
        assertFalse(head.content().isReadable());

        send(HttpMethod.GET);
        receive("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");
        assertEquals(2, read.size());
        FullHttpResponse next = assertInstanceOf(FullHttpResponse.class, read.get(1));
        assertEquals(201, next.status().code());
        assertEquals("ok", next.content().toString(StandardCharsets.US_ASCII));
    }

    @Test
    void interimResponsesAreNotJoinedToWhatFollows() {
        send(HttpMethod.POST);
        receive("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

        assertEquals(3, read.size());
        HttpResponse interim = assertInstanceOf(HttpResponse.class, read.get(0));
        assertEquals(100, interim.status().code());
        assertFalse(interim instanceof HttpContent);
        assertInstanceOf(LastHttpContent.class, read.get(1));
        FullHttpResponse response = assertInstanceOf(FullHttpResponse.class, read.get(2));
        assertEquals("ok", response.content().toString(StandardCharsets.US_ASCII));
    }

    @Test
    void switchingProtocolsStaysAHeadAlone() {
        send(HttpMethod.GET);
        receive("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\u0081\u0002hi");

        HttpResponse switched = assertInstanceOf(HttpResponse.class, read.get(0));
        assertEquals(101, switched.status().code());
        assertFalse(switched instanceof FullHttpResponse);
    }

    @Test
    void aChunkedBodyIsStreamedAsItsChunks() {
        send(HttpMethod.GET);
        receive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");

        assertFalse(read.get(0) instanceof HttpContent);
        assertInstanceOf(LastHttpContent.class, read.get(read.size() - 1));
        StringBuilder body = new StringBuilder();
        read.stream().skip(1).forEach(m -> body.append(((HttpContent) m).content().toString(StandardCharsets.US_ASCII)));
        assertEquals("hello", body.toString());
    }

    @Test
    void anUnparsableHeadKeepsItsFailure() {
        send(HttpMethod.GET);
        receive("HTTP/1.1 200 OK\r\nContent-Length: five\r\n\r\nhello");

        assertTrue(((HttpObject) read.get(0)).decoderResult().isFailure());
        assertFalse(read.get(0) instanceof FullHttpResponse);
    }

    private void send(HttpMethod method) {
        assertTrue(channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/")));
        for (Object encoded; (encoded = channel.readOutbound()) != null; ) {
            ReferenceCountUtil.release(encoded);
        }
    }

    /** Delivers the bytes as one read, as the socket would. */
    private void receive(String bytes) {
        ByteBuf buffer = Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1);
        channel.writeInbound(buffer);
        for (Object message; (message = channel.readInbound()) != null; ) {
            read.add(message);
        }
    }
}
