package dev.sandboxgateway.routing.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.registry.SandboxState;
import dev.sandboxgateway.routing.registry.ScriptedRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Waking a paused sandbox through a real wake-up endpoint on loopback. */
class SandboxWakerTest {

    private final ScriptedRegistry registry = new ScriptedRegistry();
    private final SandboxResolver resolver = new SandboxResolver(registry, new SandboxResolver.Settings(1000,
            Duration.ofMinutes(1), Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ZERO));
    private final AtomicInteger calls = new AtomicInteger();
    private volatile IntSupplier onCall = () -> 202;
    private HttpServer server;
    private SandboxWaker waker;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/wake/", exchange -> {
            calls.incrementAndGet();
            int status = "POST".equals(exchange.getRequestMethod()) ? onCall.getAsInt() : 405;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        registry.putSilently(SandboxRecord.running("abc", "10.0.0.1").withState(SandboxState.PAUSED));
    }

    @AfterEach
    void stop() {
        if (waker != null) {
            waker.close();
        }
        server.stop(0);
    }

    private SandboxWaker waker(Duration timeout) {
        waker = new SandboxWaker(new SandboxWaker.Settings("http://127.0.0.1:" + server.getAddress().getPort()
                + "/wake/{id}", null, timeout, Duration.ofMillis(20)), registry, resolver);
        return waker;
    }

    @Test
    void concurrentWaitersShareOneCallAndSeeTheSandboxRunViaAnEvent() {
        onCall = () -> {
            registry.put(SandboxRecord.running("abc", "10.0.0.1"));
            return 202;
        };
        SandboxWaker waker = waker(Duration.ofSeconds(5));
        List<CompletableFuture<SandboxRecord>> waiting = List.of(waker.awaitRunning("abc"), waker.awaitRunning("abc"),
                waker.awaitRunning("abc"));
        waiting.forEach(w -> assertEquals(SandboxState.RUNNING, w.join().state()));
        assertEquals(1, calls.get());
    }

    @Test
    void aRegistryWithoutEventsIsPolledAndTheCacheRefreshed() {
        assertEquals(SandboxState.PAUSED, resolver.resolve("abc").join().orElseThrow().state());
        onCall = () -> {
            registry.putSilently(SandboxRecord.running("abc", "10.0.0.1"));
            return 200;
        };
        assertEquals(SandboxState.RUNNING, waker(Duration.ofSeconds(5)).awaitRunning("abc").join().state());
        assertEquals(SandboxState.RUNNING, resolver.resolve("abc").join().orElseThrow().state(),
                "the cached paused record was dropped");
    }

    @Test
    void aSandboxThatDoesNotRunInTimeFails() {
        CompletionException error = assertThrows(CompletionException.class,
                () -> waker(Duration.ofMillis(200)).awaitRunning("abc").join());
        SandboxWaker.WakeFailedException failure = (SandboxWaker.WakeFailedException) error.getCause();
        assertTrue(failure.timedOut());
        assertTrue(failure.getMessage().contains("did not start running within 200 ms"), failure.getMessage());
    }

    @Test
    void aRefusedWakeUpCallFailsAtOnceAndALaterRequestTriesAgain() {
        onCall = () -> 500;
        SandboxWaker waker = waker(Duration.ofSeconds(10));
        CompletionException error = assertThrows(CompletionException.class, () -> waker.awaitRunning("abc").join());
        SandboxWaker.WakeFailedException failure = (SandboxWaker.WakeFailedException) error.getCause();
        assertFalse(failure.timedOut());
        assertTrue(failure.getMessage().contains("answered 500"), failure.getMessage());
        assertThrows(CompletionException.class, () -> waker.awaitRunning("abc").join());
        assertEquals(2, calls.get());
    }
}
