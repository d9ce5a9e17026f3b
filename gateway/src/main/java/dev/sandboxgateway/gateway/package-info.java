/**
 * The gateway process: {@link dev.sandboxgateway.gateway.Main} (the command line) and
 * {@link dev.sandboxgateway.gateway.Gateway}, which wires every part from one configuration and
 * closes them along one path. {@code Gateway} is the API for embedding the gateway (tests, tools);
 * the packages below are the gateway's own, public only so they can use each other. Imports run
 * downwards: edge, relay, request, http, then backend, metrics, tls and transport.
 */
@NullMarked
package dev.sandboxgateway.gateway;

import org.jspecify.annotations.NullMarked;
