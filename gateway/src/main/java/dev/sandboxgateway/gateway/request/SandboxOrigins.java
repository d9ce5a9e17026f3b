package dev.sandboxgateway.gateway.request;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Whether a request's {@code Origin} is a page served through this gateway: a host under one of its
 * base domains ({@code routing.baseDomains}), such as another port of the same sandbox or another
 * sandbox of the same platform. Such origins may send credentials to the gateway's own answers and
 * CORS preflights to private sandboxes.
 */
public final class SandboxOrigins {

    private final List<String> suffixes;

    public SandboxOrigins(List<String> baseDomains) {
        this.suffixes = baseDomains.stream().map(domain -> "." + domain.toLowerCase(Locale.ROOT)).toList();
    }

    /** @param origin an {@code Origin} header value ({@code https://3000-abc.sandbox.example.dev}) */
    public boolean isSandboxOrigin(@Nullable String origin) {
        String host = host(origin);
        if (host == null) {
            return false;
        }
        for (String suffix : suffixes) {
            if (host.length() > suffix.length() && host.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    /** The host of {@code scheme://host[:port]}, lower case, or {@code null} for anything else ({@code null} origins included). */
    static @Nullable String host(@Nullable String origin) {
        if (origin == null) {
            return null;
        }
        int start = origin.indexOf("://");
        if (start <= 0) {
            return null;
        }
        start += 3;
        int end = origin.length();
        if (origin.indexOf('/', start) >= 0 || origin.indexOf('@', start) >= 0) {
            return null;
        }
        if (origin.startsWith("[", start)) {
            return null;
        }
        int colon = origin.indexOf(':', start);
        if (colon >= 0) {
            end = colon;
        }
        return end > start ? origin.substring(start, end).toLowerCase(Locale.ROOT) : null;
    }
}
