package dev.sandboxgateway.gateway.request;

import dev.sandboxgateway.routing.host.SandboxTarget;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * What {@link Admission} decided about a request head, before the registry is asked. Every verdict
 * names the client the request is attributed to (behind trusted proxies, the one they name).
 */
public sealed interface AdmissionVerdict {

    ClientAddress client();

    /**
     * The request names a sandbox port and may go on to the routing decision.
     *
     * @param viaTrustedProxy whether the connection's peer is a trusted proxy, whose forwarding headers stand
     * @param https           whether the client used https (as a trusted proxy reports, else the connection)
     * @param target          the sandbox port the request names
     * @param requestTarget   the host it was addressed to and the target in origin form
     */
    record Admitted(ClientAddress client, boolean viaTrustedProxy, boolean https, SandboxTarget target,
                    RequestTarget requestTarget) implements AdmissionVerdict {
    }

    /**
     * The gateway answers with an error.
     *
     * @param target            the sandbox port the request named, when it got that far (for the page and the log)
     * @param retryAfterSeconds the {@code Retry-After} to send, when waiting helps
     */
    record Rejected(ClientAddress client, Failure failure, @Nullable SandboxTarget target, OptionalLong retryAfterSeconds)
            implements AdmissionVerdict {

        Rejected(ClientAddress client, Failure failure) {
            this(client, failure, null, OptionalLong.empty());
        }
    }

    /** The plain listener sends the client to the same URL over https ({@code tls.redirectHttp}). */
    record Redirected(ClientAddress client, SandboxTarget target, String location) implements AdmissionVerdict {
    }
}
