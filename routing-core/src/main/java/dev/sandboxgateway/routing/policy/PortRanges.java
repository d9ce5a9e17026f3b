package dev.sandboxgateway.routing.policy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;

/** Port ranges such as {@code 3000-3999} or {@code 22}, as written in configuration. */
public record PortRanges(List<Range> ranges) {

    /** An inclusive range of ports. */
    public record Range(int first, int last) {

        public Range {
            if (first < 1 || last > 65535 || first > last) {
                throw new IllegalArgumentException("'" + first + "-" + last + "' is not a port range within 1-65535");
            }
        }

        @JsonCreator
        public static Range parse(String text) {
            String trimmed = text == null ? "" : text.trim();
            int dash = trimmed.indexOf('-');
            try {
                if (dash < 0) {
                    int port = Integer.parseInt(trimmed);
                    return new Range(port, port);
                }
                return new Range(Integer.parseInt(trimmed.substring(0, dash).trim()),
                        Integer.parseInt(trimmed.substring(dash + 1).trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a port or a port range like 3000-3999");
            }
        }

        boolean contains(int port) {
            return port >= first && port <= last;
        }

        @JsonValue
        @Override
        public String toString() {
            return first == last ? Integer.toString(first) : first + "-" + last;
        }
    }

    public static final PortRanges ALL = new PortRanges(List.of(new Range(1, 65535)));
    public static final PortRanges NONE = new PortRanges(List.of());

    public PortRanges {
        ranges = List.copyOf(ranges);
    }

    public static PortRanges parse(List<String> texts) {
        return new PortRanges(texts.stream().map(Range::parse).toList());
    }

    public boolean contains(int port) {
        // Indexed rather than for-each: this runs twice per request, and an iterator is an allocation each time.
        for (int i = 0; i < ranges.size(); i++) {
            if (ranges.get(i).contains(port)) {
                return true;
            }
        }
        return false;
    }
}
