package dev.sandboxgateway.routing;

import java.util.Optional;

/** Decides whether a resolved sandbox may receive a request for a target port. */
public final class RoutingPolicy {

    private RoutingPolicy() {
    }

    /** The reason the request must be refused, or empty when it may be relayed to {@code record.backendHost()}. */
    public static Optional<GatewayError> rejection(SandboxTarget target, Optional<SandboxRecord> found) {
        if (found.isEmpty()) {
            return Optional.of(GatewayError.SANDBOX_NOT_FOUND);
        }
        SandboxRecord record = found.get();
        if (target.suffix() != null && record.suffix() != null && !target.suffix().equals(record.suffix())) {
            // A URL with another suffix does not name this sandbox: answer as if it did not exist.
            return Optional.of(GatewayError.SANDBOX_NOT_FOUND);
        }
        switch (record.state()) {
            case PAUSED:
                return Optional.of(GatewayError.SANDBOX_PAUSED);
            case STARTING:
                return Optional.of(GatewayError.SANDBOX_STARTING);
            case STOPPED:
                return Optional.of(GatewayError.SANDBOX_STOPPED);
            default:
                break;
        }
        if (!record.allowsPort(target.port())) {
            return Optional.of(GatewayError.PORT_NOT_ALLOWED);
        }
        return Optional.empty();
    }
}
