package dev.sandboxgateway.gateway.tls;

import dev.sandboxgateway.gateway.metrics.GatewayMetrics.TlsHandshake;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * Names how a TLS handshake ended, from the cause Netty reports, as one of a fixed set of results.
 * BoringSSL and the JDK word a client's alert differently ({@code SSLV3_ALERT_CERTIFICATE_UNKNOWN},
 * {@code Received fatal alert: certificate_unknown}); both name the alert, which is what is matched.
 */
public final class HandshakeResults {

    private HandshakeResults() {
    }

    /** @param cause the handshake's failure, or {@code null} when it succeeded */
    public static TlsHandshake classify(@Nullable Throwable cause) {
        if (cause == null) {
            return TlsHandshake.SUCCESS;
        }
        if (cause instanceof SslHandshakeTimeoutException) {
            return TlsHandshake.TIMEOUT;
        }
        if (cause instanceof NotSslRecordException) {
            return TlsHandshake.NOT_TLS;
        }
        if (cause instanceof ClosedChannelException) {
            return TlsHandshake.CLIENT_CLOSED;
        }
        if (cause instanceof SSLException) {
            String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
            boolean certificateAlert = message.contains("alert") && (message.contains("certificate")
                    || message.contains("unknown_ca") || message.contains("unknown ca"));
            return certificateAlert ? TlsHandshake.CERTIFICATE_REJECTED : TlsHandshake.PROTOCOL_ERROR;
        }
        // A connection reset or broken pipe mid-handshake.
        return cause instanceof IOException ? TlsHandshake.CLIENT_CLOSED : TlsHandshake.PROTOCOL_ERROR;
    }
}
