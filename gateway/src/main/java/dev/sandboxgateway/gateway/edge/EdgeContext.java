package dev.sandboxgateway.gateway.edge;

import dev.sandboxgateway.config.GatewayConfig;
import dev.sandboxgateway.gateway.relay.RequestPath;
import dev.sandboxgateway.gateway.request.ClientLimits;
import java.time.Duration;

/**
 * What every client connection of the edge shares.
 *
 * @param requestPath        the phases each request goes through
 * @param connections        every open client connection, for the gauges and draining
 * @param sandboxConnections the connections addressing each sandbox
 * @param limits             the client limits ({@code limits.*})
 * @param timeouts           the client-side timeouts ({@code timeouts.*})
 * @param sandboxChangeGrace how long a response in flight may finish once its sandbox changed
 *                           ({@code lifecycle.closeGrace})
 */
record EdgeContext(RequestPath requestPath, ClientConnections connections, SandboxConnections sandboxConnections,
                   ClientLimits limits, GatewayConfig.Timeouts timeouts, Duration sandboxChangeGrace) {
}
