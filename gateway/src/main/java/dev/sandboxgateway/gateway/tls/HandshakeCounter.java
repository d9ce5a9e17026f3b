package dev.sandboxgateway.gateway.tls;

import dev.sandboxgateway.gateway.metrics.GatewayMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Counts each TLS handshake by how it ended ({@code gateway_tls_handshakes_total}), then leaves the
 * pipeline. A connection closed before it sent a ClientHello (a port scan, a TCP health check) never
 * started a handshake and is not counted.
 */
public final class HandshakeCounter extends ChannelInboundHandlerAdapter {

    private final GatewayMetrics metrics;

    public HandshakeCounter(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent completion) {
            count(ctx, completion.cause());
        } else if (event instanceof SniCompletionEvent sni && sni.cause() instanceof SslHandshakeTimeoutException) {
            // A ClientHello that never arrived (whole) ends here, before any TLS engine exists; every other
            // SNI failure is followed by a handshake event of its own.
            count(ctx, sni.cause());
        }
        super.userEventTriggered(ctx, event);
    }

    private void count(ChannelHandlerContext ctx, @Nullable Throwable cause) {
        metrics.tlsHandshake(HandshakeResults.classify(cause));
        ctx.pipeline().remove(this);
    }
}
