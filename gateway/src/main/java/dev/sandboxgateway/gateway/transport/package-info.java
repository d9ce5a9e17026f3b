/**
 * Netty transport plumbing: io_uring, epoll or NIO event loops and their selection, I/O
 * coalescing, socket options, codec helpers and {@link dev.sandboxgateway.gateway.transport.LazyTimer}.
 * The lowest layer of the gateway: imports nothing of it.
 */
@NullMarked
package dev.sandboxgateway.gateway.transport;

import org.jspecify.annotations.NullMarked;
