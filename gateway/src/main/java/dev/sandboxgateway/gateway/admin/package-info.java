/** The admin listener: health, readiness, metrics, and the registry API. */
package dev.sandboxgateway.gateway.admin;
