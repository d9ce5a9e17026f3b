package dev.sandboxgateway.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Which TLS implementation terminates HTTPS. */
public enum TlsProvider {
    /** OpenSSL (BoringSSL, through netty-tcnative) when its native library loads, else the JDK's. */
    AUTO,
    OPENSSL,
    JDK;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static TlsProvider fromWireName(String name) {
        return Enums.byWireName(TlsProvider.class, name, TlsProvider::wireName);
    }
}
