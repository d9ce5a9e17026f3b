package dev.sandboxgateway.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The SameSite attribute of the gateway's access cookie. */
public enum CookieSameSite {
    /** Sent on the sandbox's own pages and on top-level navigations to it: not inside another site's iframe. */
    LAX,
    /**
     * Also inside another site's iframe (an IDE embedding a preview): {@code SameSite=None; Secure;
     * Partitioned}, so browsers that block third-party cookies keep it, per embedding site. Over TLS only.
     */
    NONE;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static CookieSameSite fromWireName(String name) {
        return Enums.byWireName(CookieSameSite.class, name, CookieSameSite::wireName);
    }
}
