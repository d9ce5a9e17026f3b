package dev.sandboxgateway.gateway.request;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sandboxgateway.routing.host.SandboxTarget;
import dev.sandboxgateway.routing.policy.GatewayError;
import dev.sandboxgateway.routing.resolve.SandboxWaker;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The sentence and code of every failure the gateway answers itself. */
@Tag("unit")
class FailureMessagesTest {

    private static final SandboxTarget TARGET = new SandboxTarget(3000, "abc", "s1s1");

    private record Case(Failure failure, GatewayError error, String message) {
    }

    @Test
    void everyFailureHasItsCodeAndSentence() {
        List<Case> cases = List.of(
                new Case(FailureMessages.tooManyConnections(5), GatewayError.TOO_MANY_CONNECTIONS,
                        "The gateway has as many client connections open as it allows (5)."),
                new Case(FailureMessages.connectNotSupported(), GatewayError.METHOD_NOT_ALLOWED,
                        "CONNECT is not supported: the gateway relays requests to sandbox URLs only."),
                new Case(FailureMessages.rateLimited("from 1.2.3.4", 3), GatewayError.RATE_LIMITED,
                        "Too many requests from 1.2.3.4. Retry in 3 s."),
                new Case(FailureMessages.hostMismatch("a.example"), GatewayError.BAD_REQUEST,
                        "The Host header 'a.example' does not match the request target."),
                new Case(FailureMessages.invalidHost("the port must be a number"), GatewayError.INVALID_HOST,
                        "The port must be a number."),
                new Case(FailureMessages.rejection(GatewayError.SANDBOX_NOT_FOUND, TARGET), GatewayError.SANDBOX_NOT_FOUND,
                        "There is no sandbox abc with suffix s1s1."),
                new Case(FailureMessages.rejection(GatewayError.SANDBOX_NOT_FOUND, new SandboxTarget(80, "abc", null)),
                        GatewayError.SANDBOX_NOT_FOUND, "There is no sandbox abc."),
                new Case(FailureMessages.rejection(GatewayError.SANDBOX_PAUSED, TARGET), GatewayError.SANDBOX_PAUSED,
                        "Sandbox abc is paused."),
                new Case(FailureMessages.rejection(GatewayError.SANDBOX_STARTING, TARGET), GatewayError.SANDBOX_STARTING,
                        "Sandbox abc is still starting."),
                new Case(FailureMessages.rejection(GatewayError.SANDBOX_STOPPED, TARGET), GatewayError.SANDBOX_STOPPED,
                        "Sandbox abc is stopped."),
                new Case(FailureMessages.rejection(GatewayError.PORT_NOT_ALLOWED, TARGET), GatewayError.PORT_NOT_ALLOWED,
                        "Port 3000 of sandbox abc is not open to the gateway."),
                new Case(FailureMessages.rejection(GatewayError.CLIENT_NOT_ALLOWED, TARGET), GatewayError.CLIENT_NOT_ALLOWED,
                        "Your network may not reach this sandbox."),
                new Case(FailureMessages.registryUnavailable(TARGET), GatewayError.REGISTRY_UNAVAILABLE,
                        "The sandbox registry could not be asked where sandbox 'abc' is."),
                new Case(FailureMessages.sandboxConnectionLimit(TARGET), GatewayError.TOO_MANY_CONNECTIONS,
                        "Sandbox abc has as many client connections through this gateway as it may."),
                new Case(FailureMessages.bodyTooLarge(1024, TARGET), GatewayError.REQUEST_BODY_TOO_LARGE,
                        "The request body is larger than the 1024 bytes sandbox abc accepts."),
                new Case(FailureMessages.connectFailed(GatewayError.BACKEND_CONNECTION_REFUSED, "connection refused", TARGET,
                        Duration.ofSeconds(5)), GatewayError.BACKEND_CONNECTION_REFUSED,
                        "Nothing is listening on port 3000 in sandbox abc (connection refused)."),
                new Case(FailureMessages.connectFailed(GatewayError.BACKEND_CONNECT_TIMEOUT, "timed out", TARGET,
                        Duration.ofSeconds(5)), GatewayError.BACKEND_CONNECT_TIMEOUT,
                        "Sandbox abc did not accept a connection on port 3000 within 5000 ms."),
                new Case(FailureMessages.connectFailed(GatewayError.BACKEND_NAME_UNRESOLVED, "no such host", TARGET,
                        Duration.ofSeconds(5)), GatewayError.BACKEND_NAME_UNRESOLVED,
                        "Sandbox abc port 3000: no such host."),
                new Case(FailureMessages.portNotListening(TARGET, Duration.ofSeconds(5)), GatewayError.PORT_NOT_LISTENING,
                        "Nothing was listening on port 3000 in sandbox abc after waiting 5000 ms for it to start."),
                new Case(FailureMessages.portNotListening(TARGET, Duration.ZERO), GatewayError.PORT_NOT_LISTENING,
                        "Nothing is listening on port 3000 in sandbox abc yet, and as many requests as allowed are "
                                + "already waiting for it."),
                new Case(FailureMessages.badResponse(TARGET), GatewayError.BACKEND_BAD_RESPONSE,
                        "The server on port 3000 in sandbox abc sent a response the gateway could not parse."),
                new Case(FailureMessages.unaskedSwitch(TARGET), GatewayError.BACKEND_BAD_RESPONSE,
                        "The server on port 3000 in sandbox abc switched protocols without being asked to."),
                new Case(FailureMessages.backendClosed(TARGET), GatewayError.BACKEND_CLOSED,
                        "The server on port 3000 in sandbox abc closed the connection before completing its response."),
                new Case(FailureMessages.responseTimeout(TARGET, Duration.ofMillis(1500)), GatewayError.BACKEND_RESPONSE_TIMEOUT,
                        "The server on port 3000 in sandbox abc did not start its response within 1500 ms."),
                new Case(FailureMessages.requestHeaderTimeout(Duration.ofSeconds(10)), GatewayError.REQUEST_HEADER_TIMEOUT,
                        "The request headers did not arrive within 10000 ms."),
                new Case(FailureMessages.requestBodyTimeout(Duration.ofSeconds(60)), GatewayError.REQUEST_BODY_TIMEOUT,
                        "The request body stopped arriving for 60000 ms before it was complete."));
        for (Case c : cases) {
            assertEquals(c.error(), c.failure().error(), c.message());
            assertEquals(c.message(), c.failure().message());
        }
    }

    @Test
    void aWakeUpThatTimedOutIsToldApartFromOneThatFailed() {
        Failure timedOut = FailureMessages.wakeFailed(new CompletionException(
                new SandboxWaker.WakeFailedException("sandbox abc did not start within 30000 ms", true)));
        Failure failed = FailureMessages.wakeFailed(new SandboxWaker.WakeFailedException("the wake-up call got 500", false));

        assertEquals(new Failure(GatewayError.SANDBOX_WAKE_TIMEOUT, "Sandbox abc did not start within 30000 ms."), timedOut);
        assertEquals(new Failure(GatewayError.SANDBOX_WAKE_FAILED, "The wake-up call got 500."), failed);
    }

    @Test
    void aRequestTheDecodersRefusedIsNamedByWhatWasWrong() {
        assertEquals(new Failure(GatewayError.REQUEST_HEADERS_TOO_LARGE, "Too many header fields."),
                FailureMessages.undecodable(new RequestRejectedException(GatewayError.REQUEST_HEADERS_TOO_LARGE,
                        "too many header fields")));
        assertEquals(GatewayError.REQUEST_LINE_TOO_LONG,
                FailureMessages.undecodable(new TooLongHttpLineException("line")).error());
        assertEquals(GatewayError.REQUEST_HEADERS_TOO_LARGE,
                FailureMessages.undecodable(new TooLongHttpHeaderException("headers")).error());
        assertEquals(new Failure(GatewayError.BAD_REQUEST, "A request part is larger than the gateway accepts."),
                FailureMessages.undecodable(new TooLongFrameException("chunk")));
        assertEquals(new Failure(GatewayError.BAD_REQUEST, "The request is not valid HTTP/1.1: bad chunk size"),
                FailureMessages.undecodable(new IllegalArgumentException("bad chunk size")));
    }
}
