package dev.sandboxgateway.benchmarks.load;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** Latencies in microseconds, bytes and outcomes of the measured part of a run; safe from any thread. */
final class LatencyRecorder {

    private static final long HIGHEST_MICROS = 120_000_000L;

    private final Recorder latencies = new Recorder(HIGHEST_MICROS, 3);
    private final Histogram total = new Histogram(HIGHEST_MICROS, 3);
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder non2xx = new LongAdder();
    private volatile boolean measuring;

    void startMeasuring() {
        latencies.reset();
        bytesIn.reset();
        bytesOut.reset();
        errors.reset();
        non2xx.reset();
        measuring = true;
    }

    void stopMeasuring() {
        measuring = false;
    }

    void completed(long nanos, int status, long bytesReceived, long bytesSent) {
        if (!measuring) {
            return;
        }
        latencies.recordValue(Math.min(HIGHEST_MICROS, Math.max(1, nanos / 1000)));
        bytesIn.add(bytesReceived);
        bytesOut.add(bytesSent);
        if (status < 200 || status >= 300) {
            non2xx.increment();
        }
    }

    void failed() {
        if (measuring) {
            errors.increment();
        }
    }

    /** The latencies since the previous call, added to the run's total. */
    synchronized Histogram interval() {
        Histogram interval = latencies.getIntervalHistogram();
        total.add(interval);
        return interval;
    }

    synchronized Histogram total() {
        return total.copy();
    }

    long bytesIn() {
        return bytesIn.sum();
    }

    long bytesOut() {
        return bytesOut.sum();
    }

    long errors() {
        return errors.sum();
    }

    long non2xx() {
        return non2xx.sum();
    }
}
