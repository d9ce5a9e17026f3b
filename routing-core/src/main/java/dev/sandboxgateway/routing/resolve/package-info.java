/**
 * Asking a registry through a cache: {@link dev.sandboxgateway.routing.resolve.SandboxResolver}
 * (Caffeine, coalesced loads, refresh ahead, stale serving within a bound while the registry fails)
 * and {@link dev.sandboxgateway.routing.resolve.SandboxWaker}, which wakes paused sandboxes on demand.
 * Both public API, each configured by its own {@code Settings} record.
 */
@NullMarked
package dev.sandboxgateway.routing.resolve;

import org.jspecify.annotations.NullMarked;
