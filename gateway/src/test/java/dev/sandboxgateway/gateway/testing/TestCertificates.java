package dev.sandboxgateway.gateway.testing;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;

/** A test certificate authority that issues server certificates, written as the gateway reads them. */
public final class TestCertificates {

    private final X509Bundle authority;

    public TestCertificates() throws Exception {
        Instant now = Instant.now();
        authority = new CertificateBuilder()
                .subject("CN=Sandbox Gateway Test CA")
                .setIsCertificateAuthority(true)
                .notBefore(now.minus(1, ChronoUnit.DAYS))
                .notAfter(now.plus(30, ChronoUnit.DAYS))
                .ecp256()
                .buildSelfSigned();
    }

    /** A server certificate for 127.0.0.1 (an IP address entry) and localhost, issued by this authority. */
    public X509Bundle issueForLoopback() throws Exception {
        Instant now = Instant.now();
        CertificateBuilder builder = new CertificateBuilder().ecp256()
                .subject("CN=localhost")
                .notBefore(now.minus(1, ChronoUnit.DAYS))
                .notAfter(now.plus(7, ChronoUnit.DAYS))
                .addExtendedKeyUsageServerAuth();
        builder.addExtensionOctetString(Extension.subjectAlternativeName.getId(), false, new GeneralNames(
                new GeneralName[] {new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.dNSName, "localhost")}).getEncoded());
        return builder.buildIssuedBy(authority);
    }

    /** A client certificate for {@code name}, issued by this authority, for servers that ask for one. */
    public X509Bundle issueClient(String name) throws Exception {
        Instant now = Instant.now();
        return new CertificateBuilder().ecp256()
                .subject("CN=" + name)
                .notBefore(now.minus(1, ChronoUnit.DAYS))
                .notAfter(now.plus(7, ChronoUnit.DAYS))
                .addExtendedKeyUsageClientAuth()
                .buildIssuedBy(authority);
    }

    /** This authority's certificate as a PEM file, for clients told which authority to trust. */
    public Path writeAuthority(Path file) throws Exception {
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(authority.getCertificate().getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        return Files.writeString(file, pem);
    }

    /** A server certificate for {@code names} (wildcards allowed), issued by this authority. */
    public X509Bundle issue(String... names) throws Exception {
        return issue(new CertificateBuilder().ecp256(), names);
    }

    private X509Bundle issue(CertificateBuilder keyed, String... names) throws Exception {
        Instant now = Instant.now();
        CertificateBuilder builder = keyed
                .subject("CN=" + names[0])
                .notBefore(now.minus(1, ChronoUnit.DAYS))
                .notAfter(now.plus(7, ChronoUnit.DAYS))
                .addExtendedKeyUsageServerAuth();
        // CertificateBuilder.addSanDnsName cannot take a wildcard, so the extension is encoded here.
        GeneralName[] dnsNames = new GeneralName[names.length];
        for (int i = 0; i < names.length; i++) {
            dnsNames[i] = new GeneralName(GeneralName.dNSName, names[i]);
        }
        builder.addExtensionOctetString(Extension.subjectAlternativeName.getId(), false,
                new GeneralNames(dnsNames).getEncoded());
        return builder.buildIssuedBy(authority);
    }

    /**
     * Writes {@code certificate} as one PEM file with its chain and PKCS#8 key, replacing {@code file}
     * in one rename, as a deployment tool should.
     */
    public static Path writeCombined(X509Bundle certificate, Path file) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.writeString(partial, certificate.getCertificatePathPEM() + certificate.getPrivateKeyPEM());
        return Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Writes {@code certificate} as cert-manager writes a Kubernetes TLS secret: {@code tls.crt} with the
     * chain and {@code tls.key} with the key in its traditional encoding (PKCS#1 for RSA, SEC1 for EC),
     * not PKCS#8.
     */
    public static Path writeTraditionalSecret(X509Bundle certificate, Path directory) throws IOException {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("tls.crt"), certificate.getCertificatePathPEM());
        KeyPair pair = certificate.getKeyPair();
        StringWriter key = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(key)) {
            if (pair.getPrivate() instanceof ECPrivateKey ec) {
                // With its public key, as openssl writes it: the JDK's PKCS#8 encoding leaves it out.
                PrivateKeyInfo info = PrivateKeyInfo.getInstance(ec.getEncoded());
                ASN1BitString publicKey = SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded()).getPublicKeyData();
                pem.writeObject(new PemObject("EC PRIVATE KEY", new org.bouncycastle.asn1.sec.ECPrivateKey(
                        ec.getParams().getOrder().bitLength(), ec.getS(), publicKey,
                        info.getPrivateKeyAlgorithm().getParameters()).getEncoded()));
            } else {
                pem.writeObject(new JcaMiscPEMGenerator(pair.getPrivate()));
            }
        }
        Files.writeString(directory.resolve("tls.key"), key.toString());
        return directory;
    }

    /** A server certificate for {@code names} with an RSA key, issued by this authority. */
    public X509Bundle issueRsa(String... names) throws Exception {
        return issue(new CertificateBuilder().rsa2048(), names);
    }

    /** A client context that trusts only this authority. */
    public SSLContext clientContext() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, authority.toTrustManagerFactory().getTrustManagers(), null);
        return context;
    }

    /**
     * A TLS connection to a loopback {@code port}, trusting only this authority, offering ALPN
     * {@code http/1.1}, handshake done; reads time out after 10 s.
     *
     * @param serverName the SNI name, or {@code null} to send none
     * @param protocols  TLS versions to offer; the client's defaults when none are given
     */
    public SSLSocket connect(int port, String serverName, String... protocols) throws Exception {
        return connectOffering(port, serverName, "http/1.1", protocols);
    }

    /** As {@link #connect(int, String, String...)}, offering ALPN {@code applicationProtocol} instead. */
    public SSLSocket connectOffering(int port, String serverName, String applicationProtocol, String... protocols)
            throws Exception {
        return open(port, serverName, new String[] {applicationProtocol}, protocols);
    }

    /** A handshake offering every one of {@code applicationProtocols} by ALPN, in order of preference. */
    public SSLSocket connectOfferingAll(int port, String serverName, String... applicationProtocols) throws Exception {
        return open(port, serverName, applicationProtocols, new String[0]);
    }

    private SSLSocket open(int port, String serverName, String[] applicationProtocols, String[] protocols)
            throws Exception {
        SSLSocket socket = (SSLSocket) clientContext().getSocketFactory().createSocket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        if (serverName != null) {
            parameters.setServerNames(List.of(new SNIHostName(serverName)));
        }
        if (protocols.length > 0) {
            parameters.setProtocols(protocols);
        }
        parameters.setApplicationProtocols(applicationProtocols);
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    public X509Certificate authorityCertificate() {
        return authority.getCertificate();
    }
}
