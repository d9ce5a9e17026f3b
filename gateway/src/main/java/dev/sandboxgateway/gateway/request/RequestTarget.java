package dev.sandboxgateway.gateway.request;

import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where a request is addressed, read once: the host it names (the Host header, or the authority of
 * an absolute-form target, which must then agree with it) and the target in origin form, which is
 * what the sandbox receives.
 *
 * @param host the host as the client wrote it, possibly with a port; empty when the request named none
 * @param uri  the request target in origin form ({@code /path?query})
 */
public record RequestTarget(String host, String uri) {

    /**
     * @param hostHeader the Host header, or {@code null}
     * @param uri        the request target as received: origin form, or absolute form
     *                   ({@code http://host:port/path}, which HTTP/1.1 servers must accept)
     * @return empty when the target names another host than the Host header
     */
    public static Optional<RequestTarget> read(@Nullable String hostHeader, String uri) {
        String authority = absoluteFormAuthority(uri);
        if (authority == null) {
            return Optional.of(new RequestTarget(hostHeader == null ? "" : hostHeader, uri));
        }
        if (hostHeader != null && !hostHeader.equalsIgnoreCase(authority)) {
            return Optional.empty();
        }
        return Optional.of(new RequestTarget(authority, originForm(uri, authority)));
    }

    /** The host without a trailing {@code :port}; an IPv6 literal's own colons, inside brackets, stay. */
    public String hostWithoutPort() {
        int colon = host.lastIndexOf(':');
        return colon >= 0 && host.indexOf(']') < colon ? host.substring(0, colon) : host;
    }

    /** The host lower case, without port or trailing dot: the name a cookie is bound to. */
    public String hostName() {
        String name = hostWithoutPort();
        int end = name.length();
        if (end > 0 && name.charAt(end - 1) == '.') {
            end--;
        }
        return name.substring(0, end).toLowerCase(Locale.ROOT);
    }

    /** The authority of an absolute-form target, or {@code null} for any other form. */
    private static @Nullable String absoluteFormAuthority(String uri) {
        int schemeEnd;
        if (uri.regionMatches(true, 0, "http://", 0, 7)) {
            schemeEnd = 7;
        } else if (uri.regionMatches(true, 0, "https://", 0, 8)) {
            schemeEnd = 8;
        } else {
            return null;
        }
        int end = schemeEnd;
        while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?' && uri.charAt(end) != '#') {
            end++;
        }
        return uri.substring(schemeEnd, end);
    }

    private static String originForm(String uri, String authority) {
        int pathStart = uri.indexOf(authority) + authority.length();
        String rest = uri.substring(pathStart);
        return rest.isEmpty() || rest.charAt(0) != '/' ? "/" + rest : rest;
    }
}
