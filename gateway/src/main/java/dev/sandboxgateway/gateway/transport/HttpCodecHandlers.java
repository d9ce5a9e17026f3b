package dev.sandboxgateway.gateway.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;

/**
 * Where an HTTP/1.1 codec sits in a client or backend pipeline: a decoder and an encoder as two
 * handlers under fixed names, not one {@code CombinedChannelDuplexHandler}, which costs two more
 * contexts on every connection and one more call on every message, in both directions.
 */
public final class HttpCodecHandlers {

    private static final String DECODER = "http-decoder";
    private static final String ENCODER = "http-encoder";

    private HttpCodecHandlers() {
    }

    public static void addLast(ChannelPipeline pipeline, ChannelHandler decoder, ChannelHandler encoder) {
        pipeline.addLast(DECODER, decoder);
        pipeline.addLast(ENCODER, encoder);
    }

    /**
     * Takes the codec out of a connection that stopped speaking HTTP (a WebSocket tunnel); bytes the
     * decoder still held go on to the handler after it.
     */
    public static void remove(ChannelPipeline pipeline) {
        pipeline.remove(DECODER);
        pipeline.remove(ENCODER);
    }
}
