package dev.sandboxgateway.gateway.tls;

import io.netty.handler.ssl.SslContext;
import java.time.Instant;
import java.util.List;

/**
 * One certificate as currently served.
 *
 * @param names    the DNS names it is chosen for by SNI (its subject alternative names, else its
 *                 common name); may contain wildcards such as {@code *.sandbox.example.dev}
 * @param notAfter when the leaf certificate expires
 */
record LoadedCertificate(CertificateSource source, CertificateSource.Stamp stamp, SslContext context,
                         List<String> names, Instant notAfter) {
}
