package dev.sandboxgateway.gateway.edge;

import dev.sandboxgateway.config.GatewayConfig;
import dev.sandboxgateway.routing.RateLimiter;
import dev.sandboxgateway.routing.SandboxRecord;
import java.util.concurrent.TimeUnit;

/**
 * The limits on what clients may use, from {@code limits.*}; a switched-off limit is 0 or
 * {@code null}.
 *
 * @param maxConnections     open client connections in total
 * @param maxRequestBodySize request body bytes, unless the sandbox record sets its own
 * @param perClientRate      request rate per client address
 * @param perSandboxRate     request rate per sandbox
 */
record ClientLimits(int maxConnections, long maxRequestBodySize, RateLimiter perClientRate,
                    RateLimiter perSandboxRate) {

    /** Distinct clients or sandboxes whose rate is tracked at once; beyond it the least recent are forgotten. */
    private static final long TRACKED_KEYS = 1_000_000;

    static ClientLimits from(GatewayConfig.Limits limits) {
        return new ClientLimits(limits.maxConnections(), limits.maxRequestBodySize(),
                limiter(limits.perClientRate()), limiter(limits.perSandboxRate()));
    }

    private static RateLimiter limiter(GatewayConfig.Rate rate) {
        if (rate.requestsPerSecond() <= 0) {
            return null;
        }
        int burst = rate.burst() > 0 ? rate.burst() : (int) Math.max(1, Math.ceil(rate.requestsPerSecond()));
        return new RateLimiter(new RateLimiter.Rate(rate.requestsPerSecond(), burst), TRACKED_KEYS, System::nanoTime);
    }

    /** Whether the connection that made {@code open} connections is one beyond {@code limits.maxConnections}. */
    boolean overConnectionLimit(int open) {
        return maxConnections > 0 && open > maxConnections;
    }

    /** The body limit for one sandbox: its record's own when set (0 meaning none), else the gateway's. */
    long maxRequestBodySize(SandboxRecord record) {
        return record.maxRequestBodySize() != null ? record.maxRequestBodySize() : maxRequestBodySize;
    }

    /** Whole seconds to put in Retry-After for a wait of {@code nanos}; never 0. */
    static long retryAfterSeconds(long nanos) {
        return Math.max(1, (nanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
    }
}
