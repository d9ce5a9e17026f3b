package dev.sandboxgateway.routing.host;

/**
 * What a Host header (or the routing headers of a shared host) names: one port of one sandbox,
 * a shared host whose requests carry {@code X-Sandbox-Id}/{@code X-Sandbox-Port}, or nothing valid.
 */
public sealed interface ParsedHost permits SandboxTarget, SharedHost, InvalidHost {
}
