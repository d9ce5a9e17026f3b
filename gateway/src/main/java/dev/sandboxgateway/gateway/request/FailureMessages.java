package dev.sandboxgateway.gateway.request;

import dev.sandboxgateway.routing.host.SandboxTarget;
import dev.sandboxgateway.routing.policy.GatewayError;
import dev.sandboxgateway.routing.resolve.SandboxWaker;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.time.Duration;
import java.util.concurrent.CompletionException;

/**
 * The sentence a client reads for each failure: what happened to this request, naming the sandbox,
 * port or limit involved. The code's own title and advice come with {@link GatewayError}; these
 * texts are the specific part. Pure text, so each is tested without a connection.
 */
public final class FailureMessages {

    private FailureMessages() {
    }

    public static Failure tooManyConnections(int maxConnections) {
        return new Failure(GatewayError.TOO_MANY_CONNECTIONS,
                "The gateway has as many client connections open as it allows (" + maxConnections + ").");
    }

    public static Failure connectNotSupported() {
        return new Failure(GatewayError.METHOD_NOT_ALLOWED,
                "CONNECT is not supported: the gateway relays requests to sandbox URLs only.");
    }

    /** @param whom completes "Too many requests ...": "from 203.0.113.7", "to sandbox abc" */
    public static Failure rateLimited(String whom, long retryAfterSeconds) {
        return new Failure(GatewayError.RATE_LIMITED,
                "Too many requests " + whom + ". Retry in " + retryAfterSeconds + " s.");
    }

    public static Failure hostMismatch(String host) {
        return new Failure(GatewayError.BAD_REQUEST, "The Host header '" + host + "' does not match the request target.");
    }

    public static Failure invalidHost(String reason) {
        return new Failure(GatewayError.INVALID_HOST, capitalise(reason) + ".");
    }

    /** A refusal by the routing policy: the sandbox's existence, access rules, state or ports. */
    public static Failure rejection(GatewayError rejection, SandboxTarget target) {
        String sandbox = "sandbox " + target.sandboxId();
        String message = switch (rejection) {
            case SANDBOX_NOT_FOUND -> "There is no " + sandbox
                    + (target.suffix() == null ? "" : " with suffix " + target.suffix()) + ".";
            case SANDBOX_PAUSED -> capitalise(sandbox) + " is paused.";
            case SANDBOX_STARTING -> capitalise(sandbox) + " is still starting.";
            case SANDBOX_STOPPED -> capitalise(sandbox) + " is stopped.";
            case PORT_NOT_ALLOWED -> "Port " + target.port() + " of " + sandbox + " is not open to the gateway.";
            default -> rejection.title() + ".";
        };
        return new Failure(rejection, message);
    }

    public static Failure registryUnavailable(SandboxTarget target) {
        return new Failure(GatewayError.REGISTRY_UNAVAILABLE, "The sandbox registry could not be asked where sandbox '"
                + target.sandboxId() + "' is.");
    }

    public static Failure sandboxConnectionLimit(SandboxTarget target) {
        return new Failure(GatewayError.TOO_MANY_CONNECTIONS, "Sandbox " + target.sandboxId()
                + " has as many client connections through this gateway as it may.");
    }

    public static Failure bodyTooLarge(long limit, SandboxTarget target) {
        return new Failure(GatewayError.REQUEST_BODY_TOO_LARGE, "The request body is larger than the " + limit
                + " bytes sandbox " + target.sandboxId() + " accepts.");
    }

    /** The wake-up call failed or the sandbox did not come up in time. */
    public static Failure wakeFailed(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        boolean timedOut = cause instanceof SandboxWaker.WakeFailedException wake && wake.timedOut();
        return new Failure(timedOut ? GatewayError.SANDBOX_WAKE_TIMEOUT : GatewayError.SANDBOX_WAKE_FAILED,
                capitalise(String.valueOf(cause.getMessage())) + ".");
    }

    /** No connection to the sandbox port: refused, timed out, or its name did not resolve. */
    public static Failure connectFailed(GatewayError error, String detail, SandboxTarget target, Duration connectTimeout) {
        String message = switch (error) {
            case BACKEND_CONNECTION_REFUSED -> "Nothing is listening on port " + target.port() + " in sandbox "
                    + target.sandboxId() + " (" + detail + ").";
            case BACKEND_CONNECT_TIMEOUT -> "Sandbox " + target.sandboxId() + " did not accept a connection on port "
                    + target.port() + " within " + connectTimeout.toMillis() + " ms.";
            case BACKEND_IS_GATEWAY -> "Port " + target.port() + " of sandbox " + target.sandboxId()
                    + " leads back to this gateway: the sandbox is registered at the gateway's own address, and the "
                    + "gateway does not relay to itself.";
            default -> "Sandbox " + target.sandboxId() + " port " + target.port() + ": " + detail + ".";
        };
        return new Failure(error, message);
    }

    /**
     * A port that kept refusing connections for the whole {@code backend.portStartupWait}, or whose
     * sandbox already has as many requests held as allowed ({@code waited} is then zero).
     */
    public static Failure portNotListening(SandboxTarget target, Duration waited) {
        return new Failure(GatewayError.PORT_NOT_LISTENING, waited.isZero()
                ? "Nothing is listening on port " + target.port() + " in sandbox " + target.sandboxId()
                        + " yet, and as many requests as allowed are already waiting for it."
                : "Nothing was listening on port " + target.port() + " in sandbox " + target.sandboxId()
                        + " after waiting " + waited.toMillis() + " ms for it to start.");
    }

    public static Failure badResponse(SandboxTarget target) {
        return new Failure(GatewayError.BACKEND_BAD_RESPONSE, "The server on port " + target.port() + " in sandbox "
                + target.sandboxId() + " sent a response the gateway could not parse.");
    }

    public static Failure unaskedSwitch(SandboxTarget target) {
        return new Failure(GatewayError.BACKEND_BAD_RESPONSE, "The server on port " + target.port()
                + " in sandbox " + target.sandboxId() + " switched protocols without being asked to.");
    }

    public static Failure backendClosed(SandboxTarget target) {
        return new Failure(GatewayError.BACKEND_CLOSED, "The server on port " + target.port() + " in sandbox "
                + target.sandboxId() + " closed the connection before completing its response.");
    }

    public static Failure responseTimeout(SandboxTarget target, Duration responseTimeout) {
        return new Failure(GatewayError.BACKEND_RESPONSE_TIMEOUT, "The server on port " + target.port()
                + " in sandbox " + target.sandboxId() + " did not start its response within "
                + responseTimeout.toMillis() + " ms.");
    }

    public static Failure requestHeaderTimeout(Duration requestHeader) {
        return new Failure(GatewayError.REQUEST_HEADER_TIMEOUT,
                "The request headers did not arrive within " + requestHeader.toMillis() + " ms.");
    }

    public static Failure requestBodyTimeout(Duration requestBodyIdle) {
        return new Failure(GatewayError.REQUEST_BODY_TIMEOUT, "The request body stopped arriving for "
                + requestBodyIdle.toMillis() + " ms before it was complete.");
    }

    /** A request head over {@code server.maxHeaderSize}, over HTTP/1.1 or HTTP/2. */
    public static Failure headersTooLarge() {
        return new Failure(GatewayError.REQUEST_HEADERS_TOO_LARGE, "The request headers are larger than the gateway accepts.");
    }

    /** A request (head or body part) the HTTP decoder or the gateway's own request checks refused. */
    public static Failure undecodable(Throwable cause) {
        if (cause instanceof RequestRejectedException rejected) {
            return new Failure(rejected.error(), capitalise(String.valueOf(rejected.getMessage())) + ".");
        } else if (cause instanceof TooLongHttpLineException) {
            return new Failure(GatewayError.REQUEST_LINE_TOO_LONG, "The request line is longer than the gateway accepts.");
        } else if (cause instanceof TooLongHttpHeaderException) {
            return headersTooLarge();
        } else if (cause instanceof TooLongFrameException) {
            return new Failure(GatewayError.BAD_REQUEST, "A request part is larger than the gateway accepts.");
        }
        return new Failure(GatewayError.BAD_REQUEST, "The request is not valid HTTP/1.1: " + cause.getMessage());
    }

    private static String capitalise(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
