/**
 * The decisions about a request, as values: {@link dev.sandboxgateway.gateway.request.Admission}
 * (from the head and the connection, before the registry is asked) and
 * {@link dev.sandboxgateway.gateway.request.RoutingDecision} (once it answered) return verdict
 * records; {@link dev.sandboxgateway.gateway.request.FailureMessages} holds every sentence a client
 * reads. No channel is touched here, so every verdict is tested from values alone.
 */
@NullMarked
package dev.sandboxgateway.gateway.request;

import org.jspecify.annotations.NullMarked;
