/**
 * Who may reach what: {@link dev.sandboxgateway.routing.policy.RoutingPolicy} decides whether a
 * request may be relayed to a sandbox, with {@link dev.sandboxgateway.routing.policy.GatewayError}
 * naming every way the gateway refuses or fails a request (its codes are public API and never
 * renamed), plus port ranges, access tokens and rate limiting. Pure decisions; all public API.
 */
@NullMarked
package dev.sandboxgateway.routing.policy;

import org.jspecify.annotations.NullMarked;
