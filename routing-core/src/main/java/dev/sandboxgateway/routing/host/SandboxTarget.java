package dev.sandboxgateway.routing.host;

import org.jspecify.annotations.Nullable;


/**
 * One port of one sandbox, as named by a request.
 *
 * @param port      the sandbox port, 1-65535
 * @param sandboxId lower-case sandbox id
 * @param suffix    lower-case suffix from the host, or {@code null} when the host carried none
 */
public record SandboxTarget(int port, String sandboxId, @Nullable String suffix) implements ParsedHost {
}
