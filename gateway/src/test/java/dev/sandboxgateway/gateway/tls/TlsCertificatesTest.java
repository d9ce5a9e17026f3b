package dev.sandboxgateway.gateway.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.testing.TestCertificates;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.X509Bundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading, choosing by SNI and reloading certificates, with files written as deployments write them. */
class TlsCertificatesTest {

    @TempDir
    Path dir;

    private final TestCertificates authority = new TestCertificates();

    TlsCertificatesTest() throws Exception {
    }

    @Test
    void namesComeFromTheCertificateAndPickItsContext() throws Exception {
        Path first = TestCertificates.writeCombined(authority.issue("*.sandbox.test", "sandbox.test"), dir.resolve("a.pem"));
        Path secretDir = Files.createDirectory(dir.resolve("secret"));
        X509Bundle other = authority.issue("api.other.test");
        Files.writeString(secretDir.resolve("tls.crt"), other.getCertificatePathPEM());
        Files.writeString(secretDir.resolve("tls.key"), other.getPrivateKeyPEM());

        TlsCertificates certificates = TlsCertificates.load(List.of(first.toString(), secretDir.toString()),
                SslProvider.JDK, List.of(), true);
        SslContext sandbox = certificates.map("3000-abc.sandbox.test");
        SslContext api = certificates.map("api.other.test");
        assertNotSame(sandbox, api);
        assertSame(sandbox, certificates.map(null), "no SNI: the first certificate");
        assertSame(sandbox, certificates.map("unknown.example"), "unknown name: the first certificate");
        assertTrue(certificates.describe().get(0).contains("*.sandbox.test"), certificates.describe().toString());
        assertTrue(certificates.firstExpiryEpochSeconds() - System.currentTimeMillis() / 1000 > 6 * 86_400,
                "issued for 7 days");
    }

    @Test
    void aBrokenReplacementKeepsThePreviousCertificateUntilAGoodOneArrives() throws Exception {
        Path pem = TestCertificates.writeCombined(authority.issue("*.sandbox.test"), dir.resolve("a.pem"));
        TlsCertificates certificates = TlsCertificates.load(List.of(pem.toString()), SslProvider.JDK, List.of(), true);
        SslContext original = certificates.map("x.sandbox.test");
        assertEquals(0, certificates.reloadIfChanged(), "unchanged files are not reloaded");

        Files.writeString(pem, "-----BEGIN CERTIFICATE-----\nhalf-writ");
        Files.setLastModifiedTime(pem, FileTime.from(Instant.now().plusSeconds(5)));
        assertEquals(0, certificates.reloadIfChanged());
        assertSame(original, certificates.map("x.sandbox.test"));

        TestCertificates.writeCombined(authority.issue("*.sandbox.test"), pem);
        Files.setLastModifiedTime(pem, FileTime.from(Instant.now().plusSeconds(10)));
        assertEquals(1, certificates.reloadIfChanged());
        assertNotSame(original, certificates.map("x.sandbox.test"));
    }

    @Test
    void aKeyThatIsNotPkcs8IsReportedWithTheEntry() throws Exception {
        X509Bundle bundle = authority.issue("a.test");
        Path pem = Files.writeString(dir.resolve("no-key.pem"), bundle.getCertificatePathPEM());
        CertificateLoadException error = assertThrows(CertificateLoadException.class,
                () -> TlsCertificates.load(List.of(pem.toString()), SslProvider.JDK, List.of(), true));
        assertTrue(error.getMessage().startsWith("tls.certificates: " + pem + ": the private key"), error.getMessage());
    }
}
