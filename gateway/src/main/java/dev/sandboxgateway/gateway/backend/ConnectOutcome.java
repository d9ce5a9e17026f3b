package dev.sandboxgateway.gateway.backend;

import dev.sandboxgateway.gateway.metrics.GatewayMetrics;
import dev.sandboxgateway.routing.GatewayError;
import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;

/** Records a failed connect to a sandbox and tells the waiting exchange why, the same way for every pool. */
final class ConnectOutcome {

    private ConnectOutcome() {
    }

    static void failed(Throwable cause, long elapsedNanos, long connectTimeoutNanos, GatewayMetrics metrics,
                       AcquireCallback callback) {
        record(cause, elapsedNanos, metrics);
        tell(cause, connectTimeoutNanos, callback);
    }

    static void record(Throwable cause, long elapsedNanos, GatewayMetrics metrics) {
        GatewayMetrics.ConnectResult result;
        if (cause instanceof ConnectTimeoutException) {
            result = GatewayMetrics.ConnectResult.TIMEOUT;
        } else if (cause instanceof UnknownHostException) {
            result = GatewayMetrics.ConnectResult.UNRESOLVED;
        } else {
            result = GatewayMetrics.ConnectResult.REFUSED;
        }
        metrics.connect(result, elapsedNanos);
    }

    /** Tells one waiting exchange why the connect failed; for exchanges that waited on another's connect. */
    static void tell(Throwable cause, long connectTimeoutNanos, AcquireCallback callback) {
        if (cause instanceof ConnectTimeoutException) {
            callback.onAcquireFailed(GatewayError.BACKEND_CONNECT_TIMEOUT,
                    "no connection within " + TimeUnit.NANOSECONDS.toMillis(connectTimeoutNanos) + " ms");
        } else if (cause instanceof UnknownHostException) {
            callback.onAcquireFailed(GatewayError.BACKEND_NAME_UNRESOLVED, cause.getMessage());
        } else {
            String detail = cause instanceof ConnectException ? "connection refused" : String.valueOf(cause);
            callback.onAcquireFailed(GatewayError.BACKEND_CONNECTION_REFUSED, detail);
        }
    }
}
