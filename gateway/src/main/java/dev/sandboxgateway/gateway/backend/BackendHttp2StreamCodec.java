package dev.sandboxgateway.gateway.backend;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.util.List;

/**
 * A sandbox's HTTP/2 stream as HTTP/1.1 objects, by Netty's conversion, less the
 * {@code x-http2-stream-id} header that conversion adds to every response head: it numbers the
 * gateway's stream to the sandbox, which the sandbox never sent and the client has no use for.
 */
@ChannelHandler.Sharable
final class BackendHttp2StreamCodec extends Http2StreamFrameToHttpObjectCodec {

    static final BackendHttp2StreamCodec INSTANCE = new BackendHttp2StreamCodec();

    private BackendHttp2StreamCodec() {
        super(false);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Http2StreamFrame frame, List<Object> out) throws Exception {
        int before = out.size();
        super.decode(ctx, frame, out);
        for (int i = before; i < out.size(); i++) {
            if (out.get(i) instanceof HttpResponse response) {
                response.headers().remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
            }
        }
    }
}
