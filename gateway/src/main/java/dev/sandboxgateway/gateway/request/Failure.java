package dev.sandboxgateway.gateway.request;

import dev.sandboxgateway.routing.policy.GatewayError;

/**
 * Why the gateway answers a request itself: the stable code (which fixes the status) and the
 * sentence for this request, shown on the error page and in the JSON body.
 */
public record Failure(GatewayError error, String message) {
}
