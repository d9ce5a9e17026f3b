package dev.sandboxgateway.gateway.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/**
 * HTTP/2 written and read frame by frame over a plain socket, with no state machine of its own,
 * so a test can send what every HTTP/2 library refuses to: frames on closed streams, stream ids
 * out of order, window overflows. Header blocks are HPACK-coded by Netty's coder, which keeps the
 * dynamic tables of both directions in step as long as every frame is read through {@link #next()}.
 * Every read waits at most ten seconds.
 */
public final class RawH2 implements AutoCloseable {

    public static final int DATA = 0x0;
    public static final int HEADERS = 0x1;
    public static final int RST_STREAM = 0x3;
    public static final int SETTINGS = 0x4;
    public static final int PING = 0x6;
    public static final int GOAWAY = 0x7;
    public static final int WINDOW_UPDATE = 0x8;

    public static final int END_STREAM = 0x1;
    public static final int END_HEADERS = 0x4;
    public static final int ACK = 0x1;

    /** A frame the gateway sent; {@code headers} is decoded for HEADERS frames, else {@code null}. */
    public record Frame(int type, int flags, int streamId, byte[] payload, Http2Headers headers) {
        /** The error code of a RST_STREAM or GOAWAY frame. */
        public long errorCode() {
            ByteBuffer bytes = ByteBuffer.wrap(payload);
            return Integer.toUnsignedLong(bytes.getInt(type == GOAWAY ? 4 : 0));
        }

        public int windowIncrement() {
            return ByteBuffer.wrap(payload).getInt() & 0x7fffffff;
        }

        public boolean has(int flag) {
            return (flags & flag) != 0;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false, Long.MAX_VALUE);

    private RawH2(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** A connection that has sent the client preface and an empty SETTINGS frame. */
    public static RawH2 connect(int port) throws IOException {
        RawH2 connection = new RawH2(port);
        ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
        connection.out.write(ByteBufUtil.getBytes(preface));
        connection.frame(SETTINGS, 0, 0, new byte[0]);
        return connection;
    }

    /** A connection that opened with {@code opening} instead of the client preface. */
    public static RawH2 connectSending(int port, byte[] opening) throws IOException {
        RawH2 connection = new RawH2(port);
        connection.out.write(opening);
        connection.out.flush();
        return connection;
    }

    /** The usual request for {@code host}, as a header block a test may then break. */
    public static Http2Headers get(String host, String path) {
        return new DefaultHttp2Headers(false).method("GET").scheme("http").authority(host).path(path);
    }

    public RawH2 headers(int streamId, Http2Headers headers, boolean endStream) throws IOException {
        ByteBuf block = Unpooled.buffer();
        try {
            encoder.encodeHeaders(streamId, headers, block);
            return frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, ByteBufUtil.getBytes(block));
        } catch (Http2Exception e) {
            throw new IOException(e);
        } finally {
            block.release();
        }
    }

    public RawH2 data(int streamId, byte[] bytes, boolean endStream) throws IOException {
        return frame(DATA, endStream ? END_STREAM : 0, streamId, bytes);
    }

    public RawH2 windowUpdate(int streamId, int increment) throws IOException {
        return frame(WINDOW_UPDATE, 0, streamId, ByteBuffer.allocate(4).putInt(increment).array());
    }

    public RawH2 rstStream(int streamId, long errorCode) throws IOException {
        return frame(RST_STREAM, 0, streamId, ByteBuffer.allocate(4).putInt((int) errorCode).array());
    }

    public RawH2 frame(int type, int flags, int streamId, byte[] payload) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(9);
        head.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length);
        head.put((byte) type).put((byte) flags).putInt(streamId);
        out.write(head.array());
        out.write(payload);
        out.flush();
        return this;
    }

    /** The next frame the gateway sent, or {@code null} once it closed the connection. */
    public Frame next() throws IOException {
        byte[] head = new byte[9];
        try {
            in.readFully(head);
        } catch (EOFException e) {
            return null;
        }
        ByteBuffer fields = ByteBuffer.wrap(head);
        int length = (fields.get() & 0xff) << 16 | (fields.get() & 0xff) << 8 | (fields.get() & 0xff);
        int type = fields.get() & 0xff;
        int flags = fields.get() & 0xff;
        int streamId = fields.getInt() & 0x7fffffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        if (type == SETTINGS && (flags & ACK) == 0) {
            frame(SETTINGS, ACK, 0, new byte[0]);
        }
        return new Frame(type, flags, streamId, payload, type == HEADERS ? decode(streamId, payload) : null);
    }

    /** The first frame of {@code type} on {@code streamId} or a GOAWAY, whichever comes first; {@code null} if the connection closed. */
    public Frame await(int type, int streamId) throws IOException {
        for (Frame frame = next(); frame != null; frame = next()) {
            if (frame.type() == GOAWAY || frame.type() == type && frame.streamId() == streamId) {
                return frame;
            }
        }
        return null;
    }

    /** The first HEADERS, RST_STREAM or GOAWAY about {@code streamId}: how the gateway answered a request. */
    public Frame answer(int streamId) throws IOException {
        for (Frame frame = next(); frame != null; frame = next()) {
            if (frame.type() == GOAWAY
                    || (frame.type() == HEADERS || frame.type() == RST_STREAM) && frame.streamId() == streamId) {
                return frame;
            }
        }
        return null;
    }

    /** Reads until the gateway closes the connection, at most ten seconds between frames. */
    public boolean closedByGateway() throws IOException {
        try {
            while (next() != null) {
                // Frames sent before the close, such as the GOAWAY itself, are not what is asked.
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    private Http2Headers decode(int streamId, byte[] block) throws IOException {
        ByteBuf buffer = Unpooled.wrappedBuffer(block);
        try {
            return decoder.decodeHeaders(streamId, buffer);
        } catch (Http2Exception e) {
            throw new IOException(e);
        } finally {
            buffer.release();
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
