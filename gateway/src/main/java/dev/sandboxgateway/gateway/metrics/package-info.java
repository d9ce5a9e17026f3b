/** What the gateway reports: its Micrometer meters (published as Prometheus text) and the access log. */
@NullMarked
package dev.sandboxgateway.gateway.metrics;

import org.jspecify.annotations.NullMarked;
