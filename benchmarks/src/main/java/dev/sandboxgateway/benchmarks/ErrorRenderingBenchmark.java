package dev.sandboxgateway.benchmarks;

import dev.sandboxgateway.gateway.http.ErrorResponses;
import dev.sandboxgateway.routing.host.SandboxTarget;
import dev.sandboxgateway.routing.policy.GatewayError;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
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

/** Rendering the gateway's own error answers: what a flood of requests for unknown sandboxes costs. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ErrorRenderingBenchmark {

    private final ErrorResponses errors = new ErrorResponses();
    private final SandboxTarget target = new SandboxTarget(3000, "i62mff4ahtrdfdkyn2esc", null);

    private boolean render(boolean html) {
        FullHttpResponse response = errors.render(PooledByteBufAllocator.DEFAULT, GatewayError.SANDBOX_NOT_FOUND,
                "There is no sandbox i62mff4ahtrdfdkyn2esc.", target, "5f0c2a9e81d7b3a4c61e09f2b7d84a13", html);
        return response.release();
    }

    @Benchmark
    public boolean json() {
        return render(false);
    }

    @Benchmark
    public boolean htmlPage() {
        return render(true);
    }
}
