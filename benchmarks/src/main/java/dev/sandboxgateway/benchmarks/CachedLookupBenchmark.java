package dev.sandboxgateway.benchmarks;

import dev.sandboxgateway.routing.registry.InMemorySandboxRegistry;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.resolve.SandboxResolver;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A cache hit is what almost every request pays to find its sandbox; its cost must not grow with
 * the number of sandboxes registered, so the benchmark rotates over all of them. Like a request,
 * each lookup names its sandbox with a new string (the parser cuts it out of the Host header) and
 * reads the record's backend address; the ids themselves sit in one array, as hot as the header
 * bytes a request reads them from.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CachedLookupBenchmark {

    @Param({"10", "100000"})
    int sandboxes;

    private static final int ID_LENGTH = 21;

    private char[] ids;
    private SandboxResolver resolver;

    @Setup(Level.Trial)
    public void fillCache() {
        InMemorySandboxRegistry registry = new InMemorySandboxRegistry();
        ids = new char[sandboxes * ID_LENGTH];
        for (int i = 0; i < sandboxes; i++) {
            String id = String.format("i62mff4ahtrdfdky%05x", i);
            id.getChars(0, ID_LENGTH, ids, i * ID_LENGTH);
            registry.put(SandboxRecord.running(id, "10.0." + (i >> 8 & 255) + "." + (i & 255))).join();
        }
        resolver = new SandboxResolver(registry, new SandboxResolver.Settings(
                Math.max(100_000, sandboxes), Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofMinutes(30),
                Duration.ofMinutes(5)));
        for (int i = 0; i < sandboxes; i++) {
            resolver.resolve(id(i)).join();
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        resolver.close();
    }

    private String id(int i) {
        return new String(ids, i * ID_LENGTH, ID_LENGTH);
    }

    @Benchmark
    public String hit(SandboxCursor cursor) {
        int i = cursor.next(sandboxes);
        return resolver.resolve(id(i)).getNow(Optional.empty()).orElseThrow().backendHost();
    }
}
