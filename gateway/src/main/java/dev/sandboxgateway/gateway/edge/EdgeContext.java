package dev.sandboxgateway.gateway.edge;

import dev.sandboxgateway.gateway.backend.BackendPool;
import dev.sandboxgateway.gateway.backend.Http2BackendPool;
import dev.sandboxgateway.gateway.metrics.GatewayMetrics;
import dev.sandboxgateway.routing.HostParser;
import dev.sandboxgateway.routing.RoutingPolicy;
import dev.sandboxgateway.routing.SandboxResolver;
import dev.sandboxgateway.routing.SandboxWaker;

/**
 * What every client connection shares: routing, the pools, rendering, metrics and settings; {@code waker}
 * may be null. {@code httpsRedirectPort} is 0 unless the plain listener redirects to https.
 */
record EdgeContext(HostParser hostParser, SandboxResolver resolver, RoutingPolicy policy, BackendPool pool,
                   Http2BackendPool http2Pool,
                   ErrorResponses errors, GatewayMetrics metrics, AccessLog accessLog, ClientConnections connections,
                   SandboxConnections sandboxConnections, TrustedProxies trustedProxies, ClientLimits limits,
                   long requestHeaderTimeoutNanos, long requestBodyIdleNanos, long keepAliveIdleNanos, long webSocketIdleNanos,
                   long connectTimeoutMillis, long responseTimeoutMillis, long sandboxChangeGraceNanos,
                   SandboxWaker waker, int httpsRedirectPort) {
}
