package dev.sandboxgateway.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 client over a plain socket that writes exactly the bytes given and parses exactly
 * what comes back, so tests see framing (lengths, chunks, closes) the way the wire carries it.
 * Every read is bounded by the socket timeout.
 */
public final class RawHttp implements AutoCloseable {

    /** A parsed response. {@code complete} is false when the connection ended before the framing said the body ends. */
    public record Response(int status, Map<String, String> headers, byte[] body, boolean complete) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttp(int port) throws IOException {
        this(port, 10_000);
    }

    public RawHttp(int port, int timeoutMillis) throws IOException {
        this(connect(port, timeoutMillis), timeoutMillis);
    }

    /** Speaks over {@code socket}, already connected: a TLS socket, for instance. */
    public RawHttp(Socket socket, int timeoutMillis) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(timeoutMillis);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    private static Socket connect(int port, int timeoutMillis) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
        return socket;
    }

    public RawHttp send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttp send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Opens a WebSocket through this connection; afterwards it carries frames, not HTTP. */
    public Response upgradeToWebSocket(String host) throws IOException {
        send("GET /ws HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        return readResponse(true);
    }

    /** Sends one masked text frame of under 126 bytes, as WebSocket clients must mask theirs. */
    public RawHttp sendTextFrame(String text) throws IOException {
        return send(maskedTextFrame(text));
    }

    /** The bytes of one masked text frame of under 126 bytes, for a test that sends them in pieces. */
    public static byte[] maskedTextFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame;
    }

    /** Reads one unmasked text frame of under 126 bytes, as a server sends it; anything else is an error. */
    public String readTextFrame() throws IOException {
        byte[] head = in.readNBytes(2);
        if (head.length < 2 || head[0] != (byte) 0x81 || (head[1] & 0x80) != 0 || head[1] >= 126) {
            throw new IOException("expected a short unmasked text frame, got header " + Arrays.toString(head));
        }
        return new String(in.readNBytes(head[1]), StandardCharsets.UTF_8);
    }

    /** Reads one unmasked close frame, as a server sends it, and returns {@code "code reason"}. */
    public String readCloseFrame() throws IOException {
        byte[] head = in.readNBytes(2);
        if (head.length < 2 || head[0] != (byte) 0x88 || (head[1] & 0x80) != 0 || head[1] < 2 || head[1] >= 126) {
            throw new IOException("expected an unmasked close frame, got header " + Arrays.toString(head));
        }
        byte[] payload = in.readNBytes(head[1]);
        int code = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        return code + " " + new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
    }

    public static String get(String host, String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    }

    public Response exchange(String request) throws IOException {
        send(request);
        return readResponse();
    }

    /** Reads one response; {@code headOnly} for answers to HEAD requests. */
    public Response readResponse() throws IOException {
        return readResponse(false);
    }

    public Response readResponse(boolean headOnly) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        Response response = readResponse(headOnly, body::write);
        return new Response(response.status(), response.headers(), body.toByteArray(), response.complete());
    }

    /** Receives body bytes as they are read, so large bodies need not be held. */
    @FunctionalInterface
    public interface BodySink {
        void accept(byte[] buffer, int offset, int length) throws IOException;
    }

    /** Reads one response, streaming its body into {@code sink}; the returned body is empty. */
    public Response readResponse(boolean headOnly, BodySink sink) throws IOException {
        String statusLine = readLine();
        if (statusLine == null) {
            throw new EOFException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = readLine()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                    (a, b) -> a + ", " + b);
        }
        byte[] none = new byte[0];
        if (headOnly || status / 100 == 1 || status == 204 || status == 304) {
            return new Response(status, headers, none, true);
        }
        boolean complete;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            complete = readChunked(sink);
        } else if (headers.containsKey("content-length")) {
            long length = Long.parseLong(headers.get("content-length"));
            complete = copy(sink, length) == length;
        } else {
            copy(sink, Long.MAX_VALUE);
            complete = true;
        }
        return new Response(status, headers, none, complete);
    }

    private boolean readChunked(BodySink body) throws IOException {
        while (true) {
            String sizeLine = readLine();
            if (sizeLine == null) {
                return false;
            }
            int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
            if (size == 0) {
                String trailer;
                do {
                    trailer = readLine();
                    if (trailer == null) {
                        return false;
                    }
                } while (!trailer.isEmpty());
                return true;
            }
            if (copy(body, size) != size || readLine() == null) {
                return false;
            }
        }
    }

    private long copy(BodySink body, long length) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long copied = 0;
        while (copied < length) {
            int n;
            try {
                n = in.read(buffer, 0, (int) Math.min(buffer.length, length - copied));
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                return copied;
            }
            if (n < 0) {
                return copied;
            }
            body.accept(buffer, 0, n);
            copied += n;
        }
        return copied;
    }

    /** A CRLF-terminated line without its terminator, or {@code null} at end of stream. */
    public String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while (true) {
            try {
                b = in.read();
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                b = -1;
            }
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            }
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
    }

    /** Whether the peer closed the connection (end of stream or reset) within the socket timeout. */
    public boolean closedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    public InputStream input() {
        return in;
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
