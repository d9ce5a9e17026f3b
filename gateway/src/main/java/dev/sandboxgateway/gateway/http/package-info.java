/**
 * HTTP messages the gateway rewrites or makes itself: hop-by-hop header rewriting in both
 * directions, error pages and JSON, gRPC errors, redirects, and the access-token cookie. Works on
 * Netty's message objects, never on channels.
 */
@NullMarked
package dev.sandboxgateway.gateway.http;

import org.jspecify.annotations.NullMarked;
