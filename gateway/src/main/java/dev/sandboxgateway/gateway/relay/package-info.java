/**
 * One request's relay: {@link dev.sandboxgateway.gateway.relay.Exchange}, a state machine that runs
 * the request's phases and streams both bodies with backpressure, ending through one
 * {@code finish}; {@link dev.sandboxgateway.gateway.relay.ClientSide}, all it asks of its
 * connection; and WebSocket tunnels. Never imports the edge.
 */
@NullMarked
package dev.sandboxgateway.gateway.relay;

import org.jspecify.annotations.NullMarked;
