package dev.sandboxgateway.gateway.edge;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** After the TLS handshake, completes the pipeline for the protocol ALPN chose; http/1.1 when the client offered none. */
final class AlpnHandler extends ApplicationProtocolNegotiationHandler {

    private static final Logger log = LoggerFactory.getLogger(AlpnHandler.class);

    private final EdgePipelines pipelines;

    AlpnHandler(EdgePipelines pipelines) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.pipelines = pipelines;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            pipelines.addHttp2(ctx.pipeline(), true);
        } else {
            pipelines.addHttp1(ctx.pipeline(), true);
        }
        // The handlers just added missed the connection becoming active; they start from it as on the plain port.
        ctx.fireChannelActive();
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        // Scanners, expired client clocks, plain HTTP on the TLS port: the client's problem, not an operator's.
        log.debug("TLS handshake with {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("TLS connection {} failed before its protocol was chosen", ctx.channel(), cause);
        ctx.close();
    }
}
