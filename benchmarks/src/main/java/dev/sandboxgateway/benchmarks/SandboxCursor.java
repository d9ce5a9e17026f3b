package dev.sandboxgateway.benchmarks;

import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Each benchmark thread's place in the registered sandboxes: every call names the next one, so a
 * run touches all of them in turn, as requests spread over many sandboxes do.
 */
@State(Scope.Thread)
public class SandboxCursor {

    private int next;

    /** The index of the sandbox to name now, of {@code sandboxes}; wraps to 0 after the last. */
    int next(int sandboxes) {
        int i = next;
        next = i + 1 == sandboxes ? 0 : i + 1;
        return i;
    }
}
