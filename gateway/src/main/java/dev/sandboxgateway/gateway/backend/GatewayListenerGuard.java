package dev.sandboxgateway.gateway.backend;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * First in every backend connection's pipeline: fails its connect when the socket reached one of
 * the {@link GatewayListeners}, before anything is written, then steps out of the pipeline so
 * writes do not pass through it.
 */
@ChannelHandler.Sharable
final class GatewayListenerGuard extends ChannelOutboundHandlerAdapter {

    /** A connect that reached the gateway itself; {@link ConnectOutcome} sorts it from other failures. */
    static final class ReachedGatewayException extends ConnectException {
        private static final long serialVersionUID = 1L;

        ReachedGatewayException(SocketAddress remote) {
            super(remote + " is a listener of this gateway");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private final GatewayListeners listeners;

    GatewayListenerGuard(GatewayListeners listeners) {
        this.listeners = listeners;
    }

    @Override
    public void connect(ChannelHandlerContext ctx, SocketAddress remote, @Nullable SocketAddress local,
                        ChannelPromise promise) {
        ChannelPromise connected = ctx.newPromise();
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                promise.tryFailure(f.cause());
            } else if (listeners.reachedBy((InetSocketAddress) ctx.channel().localAddress(),
                    (InetSocketAddress) ctx.channel().remoteAddress())) {
                ctx.channel().close();
                promise.tryFailure(new ReachedGatewayException(remote));
            } else {
                ctx.pipeline().remove(this);
                promise.trySuccess();
            }
        });
        ctx.connect(remote, local, connected);
    }
}
