package dev.sandboxgateway.gateway.relay;

import dev.sandboxgateway.gateway.http.HttpsRedirect;
import dev.sandboxgateway.gateway.http.SandboxAccess;
import dev.sandboxgateway.gateway.request.AdmissionVerdict;
import dev.sandboxgateway.gateway.request.AdmissionVerdict.Admitted;
import dev.sandboxgateway.gateway.request.AdmissionVerdict.Redirected;
import dev.sandboxgateway.gateway.request.AdmissionVerdict.Rejected;
import dev.sandboxgateway.gateway.request.ClientAddress;
import dev.sandboxgateway.gateway.request.ConnectionFacts;
import dev.sandboxgateway.gateway.request.Failure;
import dev.sandboxgateway.gateway.request.FailureMessages;
import dev.sandboxgateway.gateway.request.RoutingVerdict;
import dev.sandboxgateway.gateway.request.RoutingVerdict.Connect;
import dev.sandboxgateway.gateway.request.RoutingVerdict.CookieRedirect;
import dev.sandboxgateway.gateway.request.RoutingVerdict.Refused;
import dev.sandboxgateway.gateway.request.SandboxSlots;
import dev.sandboxgateway.routing.host.SandboxTarget;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.EventExecutor;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The phases of one request before the relay: admission, the registry lookup, the routing
 * decision, and a wake-up when the sandbox sleeps. Runs on the client's event loop (a lookup or
 * wake-up that completes elsewhere comes back to it) and ends once, by handing its exchange a
 * {@link Routed} value.
 */
final class RoutingPhase {

    /** Where routing ended. Each outcome names the client the request is attributed to. */
    sealed interface Routed {

        ClientAddress client();

        /** Relay the request to the sandbox, as the decision says. */
        record Connecting(ClientAddress client, Admitted admitted, Connect connect) implements Routed {
        }

        /**
         * The gateway answers with an error.
         *
         * @param target the sandbox port the request named, when it got that far
         */
        record Refusing(ClientAddress client, @Nullable SandboxTarget target, Failure failure,
                        OptionalLong retryAfterSeconds)
                implements Routed {
        }

        /** The gateway answers with a redirect: to https, or a token in the URL exchanged for a cookie. */
        record Redirecting(ClientAddress client, @Nullable SandboxTarget target, FullHttpResponse redirect)
                implements Routed {
        }
    }

    private final Exchange exchange;
    private final RequestPath path;
    private final HttpRequest request;
    private final ConnectionFacts connection;
    private final SandboxSlots slots;
    private final EventExecutor loop;
    private final boolean upgrade;
    private boolean wakeAsked;

    /** @param upgrade whether the request asks for a WebSocket upgrade */
    RoutingPhase(Exchange exchange, RequestPath path, HttpRequest request, ConnectionFacts connection,
                 SandboxSlots slots, EventExecutor loop, boolean upgrade) {
        this.exchange = exchange;
        this.path = path;
        this.request = request;
        this.connection = connection;
        this.slots = slots;
        this.loop = loop;
        this.upgrade = upgrade;
    }

    void start() {
        AdmissionVerdict verdict = path.admission().admit(request, connection);
        if (verdict instanceof Rejected rejected) {
            exchange.routed(new Routed.Refusing(rejected.client(), rejected.target(), rejected.failure(),
                    rejected.retryAfterSeconds()));
            return;
        }
        if (verdict instanceof Redirected redirected) {
            exchange.routed(new Routed.Redirecting(redirected.client(), redirected.target(),
                    HttpsRedirect.to(redirected.location())));
            return;
        }
        Admitted admitted = (Admitted) verdict;
        String originForm = admitted.requestTarget().uri();
        if (!originForm.equals(request.uri())) {
            request.setUri(originForm);
        }
        CompletableFuture<Optional<SandboxRecord>> lookup = path.resolver().resolve(admitted.target().sandboxId());
        if (lookup.isDone()) {
            resolved(admitted, lookup);
        } else {
            lookup.whenComplete((record, e) -> loop.execute(() -> resolved(admitted, lookup)));
        }
    }

    private void resolved(Admitted admitted, CompletableFuture<Optional<SandboxRecord>> lookup) {
        if (exchange.finished()) {
            return;
        }
        if (lookup.isCompletedExceptionally()) {
            refuse(admitted, FailureMessages.registryUnavailable(admitted.target()));
            return;
        }
        route(admitted, lookup.join());
    }

    private void route(Admitted admitted, Optional<SandboxRecord> found) {
        RoutingVerdict verdict = path.routing().decide(admitted, request, found, exchange.bodyBytesRead(),
                path.waker().isPresent() && !wakeAsked, upgrade, slots);
        if (verdict instanceof Connect connect) {
            exchange.routed(new Routed.Connecting(admitted.client(), admitted, connect));
        } else if (verdict == RoutingVerdict.Wake.INSTANCE) {
            wakeAsked = true;
            path.waker().orElseThrow().awaitRunning(admitted.target().sandboxId()).whenComplete((running, error) ->
                    loop.execute(() -> woke(admitted, running, error)));
        } else if (verdict instanceof CookieRedirect redirect) {
            exchange.routed(new Routed.Redirecting(admitted.client(), admitted.target(),
                    SandboxAccess.cookieRedirect(redirect.uri(), redirect.cookieValue(), redirect.secure(),
                            redirect.crossSite())));
        } else {
            refuse(admitted, ((Refused) verdict).failure());
        }
    }

    private void woke(Admitted admitted, @Nullable SandboxRecord running, @Nullable Throwable error) {
        if (exchange.finished()) {
            return;
        }
        if (error != null) {
            refuse(admitted, FailureMessages.wakeFailed(error));
            return;
        }
        route(admitted, Optional.ofNullable(running));
    }

    private void refuse(Admitted admitted, Failure failure) {
        exchange.routed(new Routed.Refusing(admitted.client(), admitted.target(), failure, OptionalLong.empty()));
    }
}
