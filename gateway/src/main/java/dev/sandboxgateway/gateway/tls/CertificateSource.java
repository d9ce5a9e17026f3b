package dev.sandboxgateway.gateway.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * Where one certificate and its key live: one PEM file holding both (as HAProxy's {@code crt}), or
 * a directory holding {@code tls.crt} and {@code tls.key} (a mounted Kubernetes TLS secret).
 *
 * @param configured the entry as written in {@code tls.certificates}, for messages
 */
record CertificateSource(String configured, Path chainFile, Path keyFile) {

    static CertificateSource of(String configured) {
        Path path = Path.of(configured);
        if (Files.isDirectory(path)) {
            return new CertificateSource(configured, path.resolve("tls.crt"), path.resolve("tls.key"));
        }
        return new CertificateSource(configured, path, path);
    }

    /**
     * What changes when either file is replaced: modification times and sizes, read through
     * symbolic links, so a secret mount's atomic symlink swap counts as a change.
     */
    Stamp stamp() throws IOException {
        return new Stamp(Files.getLastModifiedTime(chainFile), Files.size(chainFile),
                Files.getLastModifiedTime(keyFile), Files.size(keyFile));
    }

    record Stamp(FileTime chainModified, long chainSize, FileTime keyModified, long keySize) {
    }
}
