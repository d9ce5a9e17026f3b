/**
 * The gateway's configuration: {@link dev.sandboxgateway.config.GatewayConfig} (grouped immutable
 * records, defaults in one place), bound by {@link dev.sandboxgateway.config.ConfigLoader} from
 * defaults, a YAML or JSON file and {@code GATEWAY_*} environment variables, and checked with
 * errors that name each key. {@code ConfigKeys}, {@code ConfigValidator} and the duration format are
 * package-private.
 */
@NullMarked
package dev.sandboxgateway.config;

import org.jspecify.annotations.NullMarked;
