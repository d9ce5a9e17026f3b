package dev.sandboxgateway.routing;

/** Inclusive bounds on the length of a host label part. */
public record LengthRange(int min, int max) {

    public LengthRange {
        if (min < 1 || max < min || max > 63) {
            throw new IllegalArgumentException("length range must satisfy 1 <= min <= max <= 63, was " + min + ".." + max);
        }
    }

    boolean contains(int length) {
        return length >= min && length <= max;
    }

    @Override
    public String toString() {
        return min + "-" + max;
    }
}
