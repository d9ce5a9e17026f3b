package dev.sandboxgateway.gateway.edge;

import dev.sandboxgateway.gateway.request.ClientAddress;
import dev.sandboxgateway.gateway.request.TrustedProxies;
import dev.sandboxgateway.routing.registry.CidrBlock;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the real client address from the PROXY protocol header (v1 or v2, decoded by Netty's
 * {@code HAProxyMessageDecoder} before this handler) that a trusted L4 load balancer sends first.
 * A connection from anyone else is closed at once: a PROXY header from an untrusted peer would let
 * it claim any address.
 */
final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {

    /** The client address the load balancer reported; absent for its own health checks (LOCAL). */
    static final AttributeKey<ClientAddress> PROXIED_CLIENT = AttributeKey.valueOf("sandboxgateway.proxiedClient");

    private static final Logger log = LoggerFactory.getLogger(ProxyProtocolHandler.class);

    /** The connection's client: the load balancer's PROXY header when one was received, else the TCP peer. */
    static ClientAddress clientOf(Channel channel) {
        ClientAddress proxied = channel.attr(PROXIED_CLIENT).get();
        return proxied != null ? proxied : ClientAddress.of((InetSocketAddress) channel.remoteAddress());
    }

    private final TrustedProxies trusted;

    ProxyProtocolHandler(TrustedProxies trusted) {
        this.trusted = trusted;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        if (!trusted.trusts(peer.getAddress().getAddress())) {
            log.debug("closing {}: PROXY protocol is accepted only from security.trustedProxies", ctx.channel());
            ctx.close();
            return;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage message)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (message.command() == HAProxyCommand.PROXY && message.sourceAddress() != null
                    && message.proxiedProtocol() != HAProxyProxiedProtocol.UNIX_STREAM
                    && message.proxiedProtocol() != HAProxyProxiedProtocol.UNIX_DGRAM) {
                String source = message.sourceAddress();
                ctx.channel().attr(PROXIED_CLIENT).set(new ClientAddress(source, CidrBlock.parseAddress(source)));
            }
        } finally {
            message.release();
        }
        ctx.pipeline().remove(this);
    }
}
