/**
 * The public listeners and client connections: pipelines (PROXY protocol, TLS and ALPN, HTTP/1.1
 * and HTTP/2 codecs), the handler that turns each connection or stream's requests into exchanges
 * in order, client timeouts, connection counting per gateway and per sandbox, and drain. Only
 * {@link dev.sandboxgateway.gateway.edge.EdgeServer} is used from outside.
 */
@NullMarked
package dev.sandboxgateway.gateway.edge;

import org.jspecify.annotations.NullMarked;
