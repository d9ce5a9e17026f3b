package dev.sandboxgateway.gateway.backend;

import dev.sandboxgateway.gateway.metrics.GatewayMetrics;
import dev.sandboxgateway.routing.policy.GatewayError;
import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;

/**
 * Why a connect to a sandbox failed, sorted from its cause in one place, so that the metric it is
 * counted under and the error each waiting exchange is told always agree, in every pool.
 */
enum ConnectOutcome {
    TIMEOUT(GatewayMetrics.ConnectResult.TIMEOUT, GatewayError.BACKEND_CONNECT_TIMEOUT),
    UNRESOLVED(GatewayMetrics.ConnectResult.UNRESOLVED, GatewayError.BACKEND_NAME_UNRESOLVED),
    REFUSED(GatewayMetrics.ConnectResult.REFUSED, GatewayError.BACKEND_CONNECTION_REFUSED),
    GATEWAY(GatewayMetrics.ConnectResult.GATEWAY, GatewayError.BACKEND_IS_GATEWAY);

    private final GatewayMetrics.ConnectResult result;
    private final GatewayError error;

    ConnectOutcome(GatewayMetrics.ConnectResult result, GatewayError error) {
        this.result = result;
        this.error = error;
    }

    private static ConnectOutcome of(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return TIMEOUT;
        }
        if (cause instanceof GatewayListenerGuard.ReachedGatewayException) {
            return GATEWAY;
        }
        return cause instanceof UnknownHostException ? UNRESOLVED : REFUSED;
    }

    /** Records a failed connect and tells the one exchange that waited for it. */
    static void failed(Throwable cause, long elapsedNanos, long connectTimeoutNanos, GatewayMetrics metrics,
                       AcquireCallback callback) {
        record(cause, elapsedNanos, metrics);
        tell(cause, connectTimeoutNanos, callback);
    }

    static void record(Throwable cause, long elapsedNanos, GatewayMetrics metrics) {
        metrics.connect(of(cause).result, elapsedNanos);
    }

    /** Tells one waiting exchange why the connect failed; for exchanges that waited on another's connect. */
    static void tell(Throwable cause, long connectTimeoutNanos, AcquireCallback callback) {
        ConnectOutcome outcome = of(cause);
        String detail = switch (outcome) {
            case TIMEOUT -> "no connection within " + TimeUnit.NANOSECONDS.toMillis(connectTimeoutNanos) + " ms";
            case UNRESOLVED -> String.valueOf(cause.getMessage());
            case REFUSED -> cause instanceof ConnectException ? "connection refused" : String.valueOf(cause);
            case GATEWAY -> "its address is a listener of this gateway";
        };
        callback.onAcquireFailed(outcome.error, detail);
    }
}
