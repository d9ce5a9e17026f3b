package dev.sandboxgateway.routing.policy;

/**
 * Every way the gateway itself can refuse or fail a request, each with its HTTP status and a
 * stable machine-readable code that clients may switch on. The codes are public API: never
 * rename one.
 */
public enum GatewayError {
    INVALID_HOST(400, "invalid_host", "This address does not name a sandbox",
            "Check the URL: sandbox addresses look like https://{port}-{sandboxId}-{suffix}.{domain}/."),
    BAD_REQUEST(400, "bad_request", "The request could not be understood",
            "The request was malformed. Retry with a standards-conforming HTTP client."),
    SANDBOX_NOT_FOUND(404, "sandbox_not_found", "Sandbox not found",
            "The sandbox does not exist or was deleted. Check the id in the URL, or create the sandbox again."),
    ACCESS_TOKEN_MISSING(401, "access_token_missing", "This sandbox needs an access token",
            "Open the link you were given, which carries ?access_token=..., or send the X-Access-Token header."),
    ACCESS_TOKEN_INVALID(403, "access_token_invalid", "The access token is not valid",
            "The token may have been replaced. Ask the sandbox owner for a current link."),
    CLIENT_NOT_ALLOWED(403, "client_not_allowed", "Your network may not reach this sandbox",
            "This sandbox accepts connections only from listed addresses. Ask its owner to add yours."),
    REQUEST_BODY_TOO_LARGE(413, "request_body_too_large", "Request body too large",
            "Send a smaller body; this sandbox limits how much a request may carry."),
    RATE_LIMITED(429, "rate_limited", "Too many requests",
            "Slow down, and retry after the time given in the Retry-After header."),
    TOO_MANY_CONNECTIONS(503, "too_many_connections", "Too many connections",
            "The gateway has as many connections open as it allows. Retry shortly."),
    PORT_NOT_ALLOWED(403, "port_not_allowed", "This port is not open",
            "The sandbox does not expose this port. Use one of the ports it allows."),
    METHOD_NOT_ALLOWED(405, "method_not_allowed", "Method not allowed",
            "The gateway does not act as a forward proxy; send requests to sandbox URLs directly."),
    REQUEST_HEADER_TIMEOUT(408, "request_header_timeout", "Request took too long",
            "The request headers did not arrive in time. Check the network and retry."),
    REQUEST_BODY_TIMEOUT(408, "request_body_timeout", "Request body stopped arriving",
            "The request body stopped arriving before it was complete. Check the network and retry."),
    REQUEST_LINE_TOO_LONG(414, "request_line_too_long", "Address too long",
            "The request line is longer than the gateway accepts. Shorten the URL."),
    REQUEST_HEADERS_TOO_LARGE(431, "request_headers_too_large", "Request headers too large",
            "The request headers are larger than the gateway accepts. Clear cookies for this site and retry."),
    SANDBOX_PAUSED(503, "sandbox_paused", "Sandbox is paused",
            "Resume the sandbox, then reload this page."),
    SANDBOX_STARTING(503, "sandbox_starting", "Sandbox is starting",
            "The sandbox is still starting. Reload this page in a few seconds."),
    SANDBOX_STOPPED(503, "sandbox_stopped", "Sandbox is stopped",
            "Start the sandbox again, then reload this page."),
    SANDBOX_WAKE_TIMEOUT(503, "sandbox_wake_timeout", "Sandbox is taking long to wake up",
            "The sandbox was asked to resume but is not running yet. Reload this page in a few seconds."),
    SANDBOX_WAKE_FAILED(503, "sandbox_wake_failed", "Sandbox could not be woken",
            "The platform did not accept the request to resume this sandbox. Try again, or resume it yourself."),
    REGISTRY_UNAVAILABLE(503, "registry_unavailable", "Gateway cannot look up sandboxes",
            "The gateway cannot reach its sandbox registry right now. Retry shortly."),
    BACKEND_POOL_EXHAUSTED(503, "backend_connection_limit", "Too many connections to this sandbox",
            "The gateway has as many connections open to this sandbox as it allows. Retry shortly."),
    BACKEND_CONNECTION_REFUSED(502, "backend_connection_refused", "Nothing is listening on this port",
            "Start a server on this port inside the sandbox, listening on 0.0.0.0, then reload."),
    PORT_NOT_LISTENING(502, "port_not_listening", "This port is not listening yet",
            "The server in the sandbox may still be starting. This page reloads itself for a while; "
                    + "if it stays, check that the server listens on 0.0.0.0 and on this port."),
    BACKEND_NAME_UNRESOLVED(502, "backend_name_unresolved", "The sandbox's address cannot be resolved",
            "The host name this sandbox is registered with did not resolve. Check its record and DNS, then reload."),
    BACKEND_IS_GATEWAY(502, "backend_is_gateway", "This address leads back to the gateway",
            "The sandbox is registered at the gateway's own address, and this port is one the gateway listens on. "
                    + "Check the sandbox's record in the registry."),
    BACKEND_CLOSED(502, "backend_closed", "The sandbox closed the connection",
            "The server in the sandbox closed the connection without a complete response. Check its logs."),
    BACKEND_BAD_RESPONSE(502, "backend_bad_response", "The sandbox sent an invalid response",
            "The server in the sandbox answered with malformed HTTP. Check its logs."),
    BACKEND_CONNECT_TIMEOUT(504, "backend_connect_timeout", "The sandbox did not accept the connection",
            "The sandbox did not accept a connection in time. It may be overloaded or unreachable; retry shortly."),
    BACKEND_RESPONSE_TIMEOUT(504, "backend_response_timeout", "The sandbox did not answer in time",
            "The server in the sandbox accepted the request but did not start a response in time. Check its logs.");

    private final int status;
    private final String code;
    private final String title;
    private final String advice;

    GatewayError(int status, String code, String title, String advice) {
        this.status = status;
        this.code = code;
        this.title = title;
        this.advice = advice;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /**
     * Whether the client connection must close after this answer: the request could not be
     * framed with certainty, or the connection itself is over a limit.
     */
    public boolean closesConnection() {
        return this == BAD_REQUEST || this == REQUEST_HEADERS_TOO_LARGE || this == REQUEST_LINE_TOO_LONG
                || this == TOO_MANY_CONNECTIONS || this == REQUEST_BODY_TOO_LARGE || this == REQUEST_BODY_TIMEOUT;
    }

    /** A short human headline for the error page. */
    public String title() {
        return title;
    }

    /** What the person seeing the error can do about it. */
    public String advice() {
        return advice;
    }
}
