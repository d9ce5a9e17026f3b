/**
 * Connections to sandboxes: HTTP/1.1 and h2c pools kept per event loop, one connection per exchange
 * at a time, and asynchronous resolution of backend host names. Knows nothing of clients.
 */
@NullMarked
package dev.sandboxgateway.gateway.backend;

import org.jspecify.annotations.NullMarked;
