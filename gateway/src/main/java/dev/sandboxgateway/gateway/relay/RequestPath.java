package dev.sandboxgateway.gateway.relay;

import dev.sandboxgateway.config.GatewayConfig;
import dev.sandboxgateway.gateway.backend.BackendPool;
import dev.sandboxgateway.gateway.backend.Http2BackendPool;
import dev.sandboxgateway.gateway.http.ErrorResponses;
import dev.sandboxgateway.gateway.metrics.AccessLog;
import dev.sandboxgateway.gateway.metrics.GatewayMetrics;
import dev.sandboxgateway.gateway.request.Admission;
import dev.sandboxgateway.gateway.request.HeldRequests;
import dev.sandboxgateway.gateway.request.RoutingDecision;
import dev.sandboxgateway.gateway.request.SandboxOrigins;
import dev.sandboxgateway.routing.resolve.SandboxResolver;
import dev.sandboxgateway.routing.resolve.SandboxWaker;
import java.util.Optional;

/**
 * The phases every request goes through, in order, and what they share: admission, the registry
 * lookup, the routing decision (with an optional wake-up), the backend pools, and how an exchange
 * is answered, counted and logged. Built once per gateway; every exchange reads it.
 *
 * @param held     the requests held while their port starts, shared by every exchange
 * @param origins  which request origins are pages served through this gateway
 * @param backend  the backend settings, whose timeouts the error messages name
 * @param timeouts the client-side timeouts, likewise
 */
public record RequestPath(Admission admission, SandboxResolver resolver, RoutingDecision routing,
                          Optional<SandboxWaker> waker, BackendPool pool, Http2BackendPool http2Pool,
                          HeldRequests held, SandboxOrigins origins, ErrorResponses errors, GatewayMetrics metrics, AccessLog accessLog,
                          GatewayConfig.Backend backend, GatewayConfig.Timeouts timeouts) {
}
