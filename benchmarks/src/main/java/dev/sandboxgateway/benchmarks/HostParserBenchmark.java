package dev.sandboxgateway.benchmarks;

import dev.sandboxgateway.routing.host.HostParser;
import dev.sandboxgateway.routing.host.HostRules;
import dev.sandboxgateway.routing.host.LengthRange;
import dev.sandboxgateway.routing.host.ParsedHost;
import dev.sandboxgateway.routing.host.SharedHost;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Host parsing runs once per request: every wildcard host, valid or not, goes through it. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HostParserBenchmark {

    private final HostParser parser = new HostParser(new HostRules(
            List.of("sandbox.example.dev", "sandbox.example.net"),
            HostRules.defaultSharedHosts(List.of("sandbox.example.dev", "sandbox.example.net")),
            new LengthRange(1, 63), new LengthRange(1, 63)));

    @Benchmark
    public ParsedHost sandboxHostWithSuffixAndPort() {
        return parser.parse("3000-i62mff4ahtrdfdkyn2esc-b0b684e9.sandbox.example.dev:443");
    }

    @Benchmark
    public ParsedHost sandboxHostOnSecondBaseDomain() {
        return parser.parse("3000-i62mff4ahtrdfdkyn2esc.sandbox.example.net");
    }

    @Benchmark
    public ParsedHost sharedHostWithHeaders() {
        ParsedHost shared = parser.parse("sandbox.example.dev");
        return shared == SharedHost.INSTANCE ? parser.parseHeaders("i62mff4ahtrdfdkyn2esc", "3000") : shared;
    }

    @Benchmark
    public ParsedHost invalidHost() {
        return parser.parse("03000-i62mff4ahtrdfdkyn2esc.sandbox.example.dev");
    }
}
