/**
 * Where sandboxes are: the {@link dev.sandboxgateway.routing.registry.SandboxRegistry} interface, the
 * {@link dev.sandboxgateway.routing.registry.SandboxRecord} it returns, its change events, and its
 * four implementations (a watched file, memory, Redis shared by several gateways, and a control
 * plane's HTTP API). The interfaces, the record and the implementations' settings are public API;
 * the helpers the implementations share ({@code ListenerSet}, {@code ConcurrencyLimit},
 * {@code RegistryFileReader}) are package-private.
 */
@NullMarked
package dev.sandboxgateway.routing.registry;

import org.jspecify.annotations.NullMarked;
