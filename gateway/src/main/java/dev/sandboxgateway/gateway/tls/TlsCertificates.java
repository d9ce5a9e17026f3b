package dev.sandboxgateway.gateway.tls;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificates the TLS listener serves, chosen by SNI. Files are re-read when they change
 * ({@link #reloadIfChanged}); new connections get the new certificate, open ones keep theirs.
 * A file caught half-written, or replaced by something unusable, leaves the previous certificate
 * in service and is tried again at the next check.
 */
public final class TlsCertificates implements Mapping<String, SslContext> {

    private static final Logger log = LoggerFactory.getLogger(TlsCertificates.class);

    /** What the gateway serves on the TLS port: TLS 1.3 and 1.2 only, with the ciphers HTTP/2 allows (RFC 7540 9.2.2). */
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final SslProvider provider;
    private final List<String> groups;
    private final boolean http2;
    private volatile List<LoadedCertificate> loaded;
    private volatile Mapping<String, SslContext> bySni;

    private TlsCertificates(SslProvider provider, List<String> groups, boolean http2, List<LoadedCertificate> loaded) {
        this.provider = provider;
        this.groups = groups;
        this.http2 = http2;
        install(loaded);
    }

    /**
     * Loads every entry of {@code tls.certificates}.
     *
     * @param groups {@code tls.groups}: key exchange groups in preference order; empty for the provider's default
     * @param http2  whether ALPN offers h2 besides http/1.1
     */
    public static TlsCertificates load(List<String> entries, SslProvider provider, List<String> groups, boolean http2)
            throws CertificateLoadException {
        if (!groups.isEmpty() && provider != SslProvider.OPENSSL) {
            throw new CertificateLoadException("tls.groups: " + groups + " needs the OpenSSL provider, and TLS runs on "
                    + TlsProviders.describe(provider), null);
        }
        List<LoadedCertificate> loaded = new ArrayList<>();
        for (String entry : entries) {
            loaded.add(load(CertificateSource.of(entry), provider, groups, http2));
        }
        return new TlsCertificates(provider, List.copyOf(groups), http2, loaded);
    }

    public SslProvider provider() {
        return provider;
    }

    /** The context for a ClientHello naming {@code hostname} (null without SNI): a matching certificate, else the first. */
    @Override
    public SslContext map(String hostname) {
        return bySni.map(hostname);
    }

    /** The certificates in service, in configuration order. */
    public List<String> describe() {
        return loaded.stream().map(c -> c.source().configured() + " " + c.names() + " valid until " + c.notAfter())
                .toList();
    }

    /**
     * Gives up the contexts in service. With OpenSSL each holds native memory until released; a
     * connection's engine holds its own reference, so connections still open are unaffected.
     */
    public void close() {
        for (LoadedCertificate certificate : loaded) {
            ReferenceCountUtil.release(certificate.context());
        }
    }

    /** When the first of the served certificates expires, in seconds since the epoch (Prometheus's time). */
    public long firstExpiryEpochSeconds() {
        return loaded.stream().mapToLong(c -> c.notAfter().getEpochSecond()).min().orElse(0);
    }

    /**
     * Re-reads every entry whose files changed since it was loaded.
     *
     * @return how many entries were replaced
     */
    public int reloadIfChanged() {
        List<LoadedCertificate> current = loaded;
        List<LoadedCertificate> next = new ArrayList<>(current);
        int replaced = 0;
        for (int i = 0; i < current.size(); i++) {
            LoadedCertificate old = current.get(i);
            try {
                if (old.source().stamp().equals(old.stamp())) {
                    continue;
                }
                LoadedCertificate fresh = load(old.source(), provider, groups, http2);
                next.set(i, fresh);
                replaced++;
                log.info("TLS certificate {} reloaded: {} valid until {}", old.source().configured(), fresh.names(),
                        fresh.notAfter());
            } catch (IOException | CertificateLoadException e) {
                log.warn("TLS certificate {} changed but cannot be loaded, still serving the previous one: {}",
                        old.source().configured(), e.getMessage());
            }
        }
        if (replaced > 0) {
            install(next);
        }
        return replaced;
    }

    private void install(List<LoadedCertificate> certificates) {
        // The first entry wins a name two certificates share: add in reverse so earlier entries overwrite.
        DomainWildcardMappingBuilder<SslContext> builder = new DomainWildcardMappingBuilder<>(certificates.get(0).context());
        for (int i = certificates.size() - 1; i >= 0; i--) {
            LoadedCertificate certificate = certificates.get(i);
            for (String name : certificate.names()) {
                builder.add(name, certificate.context());
            }
        }
        this.bySni = builder.build();
        this.loaded = List.copyOf(certificates);
    }

    private static LoadedCertificate load(CertificateSource source, SslProvider provider, List<String> groups,
                                          boolean http2) throws CertificateLoadException {
        String where = "tls.certificates: " + source.configured();
        CertificateSource.Stamp stamp;
        byte[] chainPem;
        byte[] keyPem;
        try {
            // Stamp first: a file replaced while we read it then looks changed at the next check.
            stamp = source.stamp();
            chainPem = Files.readAllBytes(source.chainFile());
            keyPem = Files.readAllBytes(source.keyFile());
        } catch (IOException e) {
            throw new CertificateLoadException(where + ": cannot be read: " + e, e);
        }
        List<X509Certificate> chain = certificates(chainPem, where + ": " + source.chainFile());
        X509Certificate leaf = chain.get(0);
        SslContext context;
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(new ByteArrayInputStream(chainPem),
                    new ByteArrayInputStream(keyPem));
            if (!groups.isEmpty()) {
                builder.option(OpenSslContextOption.GROUPS, groups.toArray(String[]::new));
            }
            context = builder
                    .sslProvider(provider)
                    .protocols(PROTOCOLS)
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            http2 ? List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1)
                                    : List.of(ApplicationProtocolNames.HTTP_1_1)))
                    .build();
        } catch (SSLException e) {
            if (!groups.isEmpty() && String.valueOf(e.getMessage()).contains("groups")) {
                throw new CertificateLoadException("tls.groups: " + groups + " is not accepted by "
                        + TlsProviders.describe(provider) + ": " + e.getMessage(), e);
            }
            throw unusableKey(where, source, e);
        } catch (IllegalArgumentException e) {
            throw unusableKey(where, source, e);
        }
        return new LoadedCertificate(source, stamp, context, names(leaf), leaf.getNotAfter().toInstant());
    }

    private static CertificateLoadException unusableKey(String where, CertificateSource source, Exception e) {
        return new CertificateLoadException(where + ": the private key in " + source.keyFile()
                + " cannot be used with its certificate (an unencrypted key is required: '-----BEGIN PRIVATE KEY-----',"
                + " '-----BEGIN RSA PRIVATE KEY-----' or '-----BEGIN EC PRIVATE KEY-----'): " + e.getMessage(), e);
    }

    private static List<X509Certificate> certificates(byte[] pem, String where) throws CertificateLoadException {
        String text = new String(pem, StandardCharsets.US_ASCII);
        StringBuilder blocks = new StringBuilder();
        int from = 0;
        while (true) {
            int begin = text.indexOf("-----BEGIN CERTIFICATE-----", from);
            if (begin < 0) {
                break;
            }
            String endMarker = "-----END CERTIFICATE-----";
            int end = text.indexOf(endMarker, begin);
            if (end < 0) {
                throw new CertificateLoadException(where + ": a certificate block has no END line", null);
            }
            blocks.append(text, begin, end + endMarker.length()).append('\n');
            from = end + endMarker.length();
        }
        if (blocks.length() == 0) {
            throw new CertificateLoadException(where + ": holds no '-----BEGIN CERTIFICATE-----' block", null);
        }
        try {
            Collection<? extends java.security.cert.Certificate> parsed = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(blocks.toString().getBytes(StandardCharsets.US_ASCII)));
            List<X509Certificate> chain = new ArrayList<>();
            for (java.security.cert.Certificate certificate : parsed) {
                chain.add((X509Certificate) certificate);
            }
            return chain;
        } catch (CertificateException e) {
            throw new CertificateLoadException(where + ": a certificate cannot be parsed: " + e.getMessage(), e);
        }
    }

    /** The DNS names a certificate is for: its subject alternative names, or its common name when it has none. */
    static List<String> names(X509Certificate certificate) throws CertificateLoadException {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> alternative : alternatives) {
                    if (alternative.size() == 2 && Integer.valueOf(2).equals(alternative.get(0))) {
                        names.add(((String) alternative.get(1)).toLowerCase(Locale.ROOT));
                    }
                }
            }
            if (names.isEmpty()) {
                for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                    if (rdn.getType().equalsIgnoreCase("CN")) {
                        names.add(rdn.getValue().toString().toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException | InvalidNameException e) {
            throw new CertificateLoadException("the names of certificate " + certificate.getSubjectX500Principal()
                    + " cannot be read: " + e.getMessage(), e);
        }
        return List.copyOf(names);
    }
}
