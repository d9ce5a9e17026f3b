/** The admin listener: health, readiness, metrics, and the registry API. */
@NullMarked
package dev.sandboxgateway.gateway.admin;

import org.jspecify.annotations.NullMarked;
