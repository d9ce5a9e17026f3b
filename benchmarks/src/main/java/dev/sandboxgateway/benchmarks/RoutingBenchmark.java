package dev.sandboxgateway.benchmarks;

import dev.sandboxgateway.gateway.backend.BackendKey;
import dev.sandboxgateway.routing.host.HostParser;
import dev.sandboxgateway.routing.host.HostRules;
import dev.sandboxgateway.routing.host.LengthRange;
import dev.sandboxgateway.routing.host.SandboxTarget;
import dev.sandboxgateway.routing.policy.Credentials;
import dev.sandboxgateway.routing.policy.GatewayError;
import dev.sandboxgateway.routing.policy.RoutingPolicy;
import dev.sandboxgateway.routing.registry.FileSandboxRegistry;
import dev.sandboxgateway.routing.registry.RegistryFileException;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.resolve.SandboxResolver;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * The whole routing decision of one request, from the Host header to the backend pool's entry:
 * parse, cached lookup, policy, pool key. The goal is that it costs the same over 100,000
 * registered sandboxes as over 10, so this measures what a request pays for every data structure
 * that grows with the sandboxes, not the lookup alone.
 *
 * <p>Like the side-by-side benchmark, the sandboxes come from a registry file read by the file
 * registry, all on one backend host, and each request's Host header is a new string (the HTTP
 * decoder builds one per request) naming the next sandbox in turn. The pool is a map from backend
 * key to entry, as each event loop's pool keeps it. Not included: the gateway's per-loop index of
 * connections by sandbox, which holds only sandboxes that have a connection on that loop.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RoutingBenchmark {

    private static final String BASE_DOMAIN = "sandbox.test";
    private static final String BACKEND_HOST = "127.0.0.1";
    private static final int PORT = 8081;
    private static final byte[] CLIENT = {127, 0, 0, 1};

    @Param({"10", "100000"})
    int sandboxes;

    private final HostParser parser = new HostParser(new HostRules(List.of(BASE_DOMAIN),
            HostRules.defaultSharedHosts(List.of(BASE_DOMAIN)), new LengthRange(1, 63), new LengthRange(1, 63)));
    private final RoutingPolicy policy = RoutingPolicy.openPorts();
    private final Map<BackendKey, Object> pool = new HashMap<>();
    private Path registryFile;
    private FileSandboxRegistry registry;
    private SandboxResolver resolver;
    private char[] hosts;
    private int[] hostStarts;

    @Setup(Level.Trial)
    public void register() throws IOException, RegistryFileException {
        registryFile = Files.createTempFile("routing-benchmark", ".yaml");
        StringBuilder allHosts = new StringBuilder();
        hostStarts = new int[sandboxes + 1];
        try (Writer out = Files.newBufferedWriter(registryFile)) {
            out.write("sandboxes:\n");
            for (int i = 0; i < sandboxes; i++) {
                out.write("  - {id: sb" + i + ", backendHost: " + BACKEND_HOST + "}\n");
                hostStarts[i] = allHosts.length();
                allHosts.append(PORT).append("-sb").append(i).append('.').append(BASE_DOMAIN);
            }
        }
        hostStarts[sandboxes] = allHosts.length();
        hosts = allHosts.toString().toCharArray();
        registry = FileSandboxRegistry.open(registryFile, Duration.ofHours(1));
        resolver = new SandboxResolver(registry, new SandboxResolver.Settings(Math.max(100_000, sandboxes),
                Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofMinutes(30), Duration.ofMinutes(5)));
        pool.put(new BackendKey(BACKEND_HOST, PORT), new Object());
        for (int i = 0; i < sandboxes; i++) {
            SandboxTarget target = (SandboxTarget) parser.parse(host(i));
            resolver.resolve(target.sandboxId()).join().orElseThrow();
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        resolver.close();
        registry.close();
        Files.delete(registryFile);
    }

    /** A new string, as the HTTP decoder makes one per request; the characters are hot, as a request's are. */
    private String host(int i) {
        return new String(hosts, hostStarts[i], hostStarts[i + 1] - hostStarts[i]);
    }

    @Benchmark
    public Object route(SandboxCursor cursor) {
        int i = cursor.next(sandboxes);
        SandboxTarget target = (SandboxTarget) parser.parse(host(i));
        Optional<SandboxRecord> found = resolver.resolve(target.sandboxId()).getNow(Optional.empty());
        Optional<GatewayError> rejection = policy.rejection(target, found, CLIENT, Credentials.NONE);
        if (rejection.isPresent()) {
            throw new IllegalStateException(rejection.get().code());
        }
        return pool.get(new BackendKey(found.get().backendHost(), target.port()));
    }
}
