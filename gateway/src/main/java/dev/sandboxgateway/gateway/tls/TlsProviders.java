package dev.sandboxgateway.gateway.tls;

import dev.sandboxgateway.config.TlsProvider;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/** Picks the TLS implementation for {@code tls.provider}. */
public final class TlsProviders {

    private TlsProviders() {
    }

    /** @throws CertificateLoadException when OpenSSL is required but its native library does not load */
    public static SslProvider select(TlsProvider configured) throws CertificateLoadException {
        return switch (configured) {
            case JDK -> SslProvider.JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new CertificateLoadException("tls.provider: openssl was asked for, but netty-tcnative does not load"
                            + " on this machine: " + OpenSsl.unavailabilityCause(), OpenSsl.unavailabilityCause());
                }
                yield SslProvider.OPENSSL;
            }
            case AUTO -> OpenSsl.isAvailable() && SslProvider.isAlpnSupported(SslProvider.OPENSSL)
                    ? SslProvider.OPENSSL : SslProvider.JDK;
        };
    }

    /** One line for the startup log: which implementation, and why not OpenSSL when it is not. */
    public static String describe(SslProvider provider) {
        if (provider == SslProvider.OPENSSL) {
            return "OpenSSL (" + OpenSsl.versionString() + ", netty-tcnative)";
        }
        return OpenSsl.isAvailable() ? "JDK" : "JDK (OpenSSL unavailable: " + OpenSsl.unavailabilityCause() + ")";
    }
}
