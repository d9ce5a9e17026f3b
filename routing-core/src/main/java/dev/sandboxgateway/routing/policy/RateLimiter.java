package dev.sandboxgateway.routing.policy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.function.Function;

/**
 * A token bucket per key (a sandbox id, a client address). Buckets live in a bounded cache and
 * are forgotten after a minute without requests, so a flood of distinct keys cannot grow memory;
 * a forgotten bucket comes back full, which only ever errs towards admitting.
 */
public final class RateLimiter {

    /**
     * @param perSecond tokens added per second: the sustained request rate
     * @param burst     bucket size: requests admitted at once after a quiet period
     */
    public record Rate(double perSecond, int burst) {

        public Rate {
            if (!(perSecond > 0) || burst < 1) {
                throw new IllegalArgumentException("a rate needs requestsPerSecond > 0 and burst >= 1");
            }
        }
    }

    private final Rate rate;
    private final Ticker ticker;
    private final Cache<String, Bucket> buckets;
    private final Function<String, Bucket> newBucket;

    public RateLimiter(Rate rate, long maximumKeys, Ticker ticker) {
        this.rate = rate;
        this.ticker = ticker;
        this.buckets = Caffeine.newBuilder()
                .maximumSize(maximumKeys)
                .expireAfterAccess(Duration.ofMinutes(1))
                .ticker(ticker)
                .build();
        this.newBucket = key -> new Bucket(rate.burst(), ticker.read());
    }

    /** Takes one token for {@code key}: 0 when admitted, otherwise the nanoseconds until one is available. */
    public long acquire(String key) {
        return buckets.get(key, newBucket).take(rate, ticker.read());
    }

    private static final class Bucket {
        private double tokens;
        private long updatedNanos;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updatedNanos = now;
        }

        synchronized long take(Rate rate, long now) {
            tokens = Math.min(rate.burst(), tokens + (now - updatedNanos) * rate.perSecond() / 1e9);
            updatedNanos = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / rate.perSecond() * 1e9);
        }
    }
}
