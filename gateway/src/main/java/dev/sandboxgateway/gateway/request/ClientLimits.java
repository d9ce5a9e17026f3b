package dev.sandboxgateway.gateway.request;

import dev.sandboxgateway.config.GatewayConfig;
import dev.sandboxgateway.routing.policy.RateLimiter;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The limits on what clients may use, from {@code limits.*}, where 0 switches a limit off; here a
 * limit that is off is an empty optional.
 *
 * @param maxConnections     open client connections in total
 * @param maxRequestBodySize request body bytes, unless the sandbox record sets its own
 * @param perClientRate      request rate per client address
 * @param perSandboxRate     request rate per sandbox
 */
public record ClientLimits(OptionalInt maxConnections, OptionalLong maxRequestBodySize,
                           Optional<RateLimiter> perClientRate, Optional<RateLimiter> perSandboxRate) {

    /** No limit at all. */
    public static final ClientLimits NONE = new ClientLimits(OptionalInt.empty(), OptionalLong.empty(),
            Optional.empty(), Optional.empty());

    /** Distinct clients or sandboxes whose rate is tracked at once; beyond it the least recent are forgotten. */
    private static final long TRACKED_KEYS = 1_000_000;

    public static ClientLimits from(GatewayConfig.Limits limits) {
        return new ClientLimits(
                limits.maxConnections() > 0 ? OptionalInt.of(limits.maxConnections()) : OptionalInt.empty(),
                limits.maxRequestBodySize() > 0 ? OptionalLong.of(limits.maxRequestBodySize()) : OptionalLong.empty(),
                limiter(limits.perClientRate()), limiter(limits.perSandboxRate()));
    }

    private static Optional<RateLimiter> limiter(GatewayConfig.Rate rate) {
        if (rate.requestsPerSecond() <= 0) {
            return Optional.empty();
        }
        int burst = rate.burst() > 0 ? rate.burst() : (int) Math.max(1, Math.ceil(rate.requestsPerSecond()));
        return Optional.of(new RateLimiter(new RateLimiter.Rate(rate.requestsPerSecond(), burst), TRACKED_KEYS,
                System::nanoTime));
    }

    /** Whether the connection that made {@code open} connections is one beyond {@code limits.maxConnections}. */
    public boolean overConnectionLimit(int open) {
        return maxConnections.isPresent() && open > maxConnections.getAsInt();
    }

    /**
     * The body limit for one sandbox: its record's own when set (where 0 means none), else the
     * gateway's.
     */
    public OptionalLong maxRequestBodySize(SandboxRecord record) {
        Long own = record.maxRequestBodySize();
        if (own == null) {
            return maxRequestBodySize;
        }
        return own > 0 ? OptionalLong.of(own) : OptionalLong.empty();
    }

    /** Whole seconds to put in Retry-After for a wait of {@code nanos}; never 0. */
    static long retryAfterSeconds(long nanos) {
        return Math.max(1, (nanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
    }
}
