/** What the gateway reports: its Micrometer meters (published as Prometheus text) and the access log. */
package dev.sandboxgateway.gateway.metrics;
