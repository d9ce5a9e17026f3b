package dev.sandboxgateway.routing.host;

import java.util.Optional;

/**
 * Inclusive bounds on the length of a host label part. Valid bounds satisfy
 * {@code 1 <= min <= max <= 63} (a DNS label is at most 63 characters); {@link #problem()} says
 * what is wrong otherwise, for the configuration's checks and for {@link HostRules}, which refuses
 * such bounds.
 */
public record LengthRange(int min, int max) {

    /** What is wrong with these bounds, or empty when they are valid. */
    public Optional<String> problem() {
        if (min < 1 || max < min || max > 63) {
            return Optional.of("must satisfy 1 <= min <= max <= 63, was " + min + ".." + max);
        }
        return Optional.empty();
    }

    boolean contains(int length) {
        return length >= min && length <= max;
    }

    @Override
    public String toString() {
        return min + "-" + max;
    }
}
