package dev.sandboxgateway.routing.policy;

import dev.sandboxgateway.routing.host.SandboxTarget;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import java.util.Optional;

/**
 * Decides whether a request may be relayed to a sandbox. The checks run in an order that tells a
 * refused client no more than it may know: whether the sandbox exists, then whether this client
 * may reach it at all (address, access token), and only then its state and open ports.
 */
public final class RoutingPolicy {

    private final PortRanges allowedPorts;
    private final PortRanges deniedPorts;

    /**
     * @param allowedPorts ports any sandbox may be reached on
     * @param deniedPorts  ports no sandbox may be reached on, whatever its record says
     */
    public RoutingPolicy(PortRanges allowedPorts, PortRanges deniedPorts) {
        this.allowedPorts = allowedPorts;
        this.deniedPorts = deniedPorts;
    }

    /** Every port open, none denied: the sandbox records alone decide. */
    public static RoutingPolicy openPorts() {
        return new RoutingPolicy(PortRanges.ALL, PortRanges.NONE);
    }

    /** The gateway-wide port rule, checked before the registry is asked. */
    public boolean portAllowed(int port) {
        return allowedPorts.contains(port) && !deniedPorts.contains(port);
    }

    /**
     * The reason the request must be refused, or empty when it may be relayed to {@code record.backendHost()}.
     *
     * @param client the client's address bytes (4 or 16)
     */
    public Optional<GatewayError> rejection(SandboxTarget target, Optional<SandboxRecord> found, byte[] client,
                                            Credentials credentials) {
        if (found.isEmpty()) {
            return Optional.of(GatewayError.SANDBOX_NOT_FOUND);
        }
        SandboxRecord record = found.get();
        if (target.suffix() != null && record.suffix() != null && !target.suffix().equals(record.suffix())) {
            // A URL with another suffix does not name this sandbox: answer as if it did not exist.
            return Optional.of(GatewayError.SANDBOX_NOT_FOUND);
        }
        if (!record.allowsClient(client)) {
            return Optional.of(GatewayError.CLIENT_NOT_ALLOWED);
        }
        if (record.accessToken() != null) {
            Optional<GatewayError> access = accessRejection(record.accessToken(), credentials);
            if (access.isPresent()) {
                return access;
            }
        }
        GatewayError notRunning = switch (record.state()) {
            case PAUSED -> GatewayError.SANDBOX_PAUSED;
            case STARTING -> GatewayError.SANDBOX_STARTING;
            case STOPPED -> GatewayError.SANDBOX_STOPPED;
            case RUNNING -> null;
        };
        if (notRunning != null) {
            return Optional.of(notRunning);
        }
        if (!portAllowed(target.port()) || !record.allowsPort(target.port())) {
            return Optional.of(GatewayError.PORT_NOT_ALLOWED);
        }
        return Optional.empty();
    }

    /**
     * The most explicit credential decides: the header, then the query parameter, then the cookie.
     * A wrong credential is never rescued by another, so a client learns plainly that it is wrong.
     */
    private static Optional<GatewayError> accessRejection(String token, Credentials credentials) {
        boolean valid;
        if (credentials.header() != null) {
            valid = AccessTokens.matches(token, credentials.header());
        } else if (credentials.query() != null) {
            valid = AccessTokens.matches(token, credentials.query());
        } else if (credentials.cookie() != null && credentials.host() != null) {
            valid = AccessTokens.matches(AccessTokens.cookieValue(token, credentials.host()), credentials.cookie());
        } else {
            return Optional.of(GatewayError.ACCESS_TOKEN_MISSING);
        }
        return valid ? Optional.empty() : Optional.of(GatewayError.ACCESS_TOKEN_INVALID);
    }
}
