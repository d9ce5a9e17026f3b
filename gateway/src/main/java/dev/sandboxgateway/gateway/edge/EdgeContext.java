package dev.sandboxgateway.gateway.edge;

import dev.sandboxgateway.config.GatewayConfig;
import dev.sandboxgateway.gateway.relay.RequestPath;
import dev.sandboxgateway.gateway.request.ClientLimits;
import dev.sandboxgateway.gateway.request.TrustedProxies;
import java.time.Duration;

/**
 * What every client connection of the edge shares: the connection registries, which live as long
 * as the listener, and the settings a reload replaces ({@link Live}), read afresh by each request
 * and each new connection.
 */
final class EdgeContext {

    /**
     * The part a reload replaces as a whole.
     *
     * @param requestPath        the phases each request goes through
     * @param limits             the client limits ({@code limits.*})
     * @param timeouts           the client-side timeouts ({@code timeouts.*})
     * @param sandboxChangeGrace how long a response in flight may finish once its sandbox changed
     *                           ({@code lifecycle.closeGrace})
     * @param trustedProxies     who may send a PROXY protocol header or forwarding headers
     *                           ({@code security.trustedProxies})
     * @param webSocketPing      how long a tunnel may be quiet before its client is pinged; zero for never
     *                           ({@code webSocket.pingInterval})
     */
    record Live(RequestPath requestPath, ClientLimits limits, GatewayConfig.Timeouts timeouts,
                Duration sandboxChangeGrace, TrustedProxies trustedProxies, Duration webSocketPing) {
    }

    private final ClientConnections connections;
    private final SandboxConnections sandboxConnections;
    private volatile Live live;

    /**
     * @param connections        every open client connection, for the gauges and draining
     * @param sandboxConnections the connections addressing each sandbox
     */
    EdgeContext(ClientConnections connections, SandboxConnections sandboxConnections, Live live) {
        this.connections = connections;
        this.sandboxConnections = sandboxConnections;
        this.live = live;
    }

    /** Takes effect for requests and connections that start from now on; those under way keep what they read. */
    void replace(Live next) {
        live = next;
    }

    Live live() {
        return live;
    }

    ClientConnections connections() {
        return connections;
    }

    SandboxConnections sandboxConnections() {
        return sandboxConnections;
    }

    RequestPath requestPath() {
        return live.requestPath();
    }

    ClientLimits limits() {
        return live.limits();
    }

    GatewayConfig.Timeouts timeouts() {
        return live.timeouts();
    }

    Duration sandboxChangeGrace() {
        return live.sandboxChangeGrace();
    }

    TrustedProxies trustedProxies() {
        return live.trustedProxies();
    }
}
