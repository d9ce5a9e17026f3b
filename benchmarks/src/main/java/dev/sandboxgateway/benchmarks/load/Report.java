package dev.sandboxgateway.benchmarks.load;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/** The outcome of a run: rates, bytes, errors and latency percentiles (milliseconds). */
record Report(String label, String mode, int connections, double targetRate, int hosts, double seconds,
              long completed, double perSecond, double megabytesPerSecond, long errors, long non2xx,
              double p50, double p90, double p99, double p999, double max) {

    static Report of(LoadOptions options, LatencyRecorder recorder, long elapsedNanos) {
        Histogram h = recorder.total();
        double seconds = elapsedNanos / 1e9;
        return new Report(options.label(), options.mode().name().toLowerCase(Locale.ROOT), options.connections(),
                options.rate(), options.hosts().size(), seconds, h.getTotalCount(), h.getTotalCount() / seconds,
                (recorder.bytesIn() + recorder.bytesOut()) / seconds / 1e6, recorder.errors(), recorder.non2xx(),
                ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1000.0);
    }

    private static double ms(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    String toJson() {
        return String.format(Locale.ROOT, "{\"label\":\"%s\",\"mode\":\"%s\",\"connections\":%d,\"targetRate\":%.1f,"
                        + "\"hosts\":%d,\"seconds\":%.3f,\"completed\":%d,\"perSecond\":%.1f,\"megabytesPerSecond\":%.2f,"
                        + "\"errors\":%d,\"non2xx\":%d,\"latencyMs\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,"
                        + "\"p99.9\":%.3f,\"max\":%.3f}}",
                label.replace("\"", "'"), mode, connections, targetRate, hosts, seconds, completed, perSecond,
                megabytesPerSecond, errors, non2xx, p50, p90, p99, p999, max);
    }

    String toTable() {
        return String.format(Locale.ROOT, """
                %s%s, %d connections%s, %d hosts, %.1f s
                  completed   %,d (%,.0f per second, %.1f MB/s in+out)
                  errors      %d connection failures, %d non-2xx answers
                  latency ms  p50 %.3f   p90 %.3f   p99 %.3f   p99.9 %.3f   max %.3f
                """, label.isEmpty() ? "" : label + ": ", mode, connections,
                targetRate > 0 ? String.format(Locale.ROOT, ", open loop at %.0f/s", targetRate) : ", closed loop",
                hosts, seconds, completed, perSecond, megabytesPerSecond, errors, non2xx, p50, p90, p99, p999, max);
    }
}
