/**
 * Which sandbox port a request names: {@link dev.sandboxgateway.routing.host.HostParser} reads a
 * Host header ({@code {port}-{sandboxId}[-{suffix}].{baseDomain}}) or the routing headers of a
 * shared host, under {@link dev.sandboxgateway.routing.host.HostRules}, and returns a
 * {@link dev.sandboxgateway.routing.host.ParsedHost}: a target, a shared host, or an invalid host
 * with the reason. Pure functions of their input; everything here is public API.
 */
@NullMarked
package dev.sandboxgateway.routing.host;

import org.jspecify.annotations.NullMarked;
