package dev.sandboxgateway.routing.registry;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * What the registry knows about one sandbox. Validated on construction, so a record read from a
 * file or received by the admin API is always routable as far as its own fields go.
 *
 * @param id           lower-case sandbox id
 * @param suffix       the suffix its URLs carry, or {@code null}; when set, a host with a different suffix does not name it
 * @param backendHost  IP address or host name where its ports are reachable
 * @param state        lifecycle state; {@code running} when absent
 * @param allowedPorts the only ports that may be reached; empty means every port
 * @param accessToken  token clients must present, or {@code null}
 * @param labels       free-form metadata
 * @param allowedClients client address blocks that may reach it; empty means every client
 * @param maxRequestBodySize largest request body in bytes, or {@code null} for the gateway-wide limit
 * @param portStartupWaitMillis how long a request waits for a refusing port to start listening, in
 *                     milliseconds (0: not at all), or {@code null} for {@code backend.portStartupWait}
 * @param allowedOrigins origins ({@code https://ide.example.com}) whose CORS preflights reach the
 *                     sandbox without its access token, besides the gateway's own sandbox hosts
 * @param hostRewrite  the Host the sandbox's servers are sent instead of the public one, by port
 *                     ({@code "5173"}) or for every port ({@code "*"}): a fixed {@code host[:port]} or a
 *                     template with {@code ${port}} ({@code localhost:${port}}); empty for none. For dev
 *                     servers that refuse unknown hosts (Vite, webpack-dev-server, Next.js)
 */
public record SandboxRecord(String id, @Nullable String suffix, String backendHost, SandboxState state,
                            Set<Integer> allowedPorts, @Nullable String accessToken, Map<String, String> labels,
                            List<CidrBlock> allowedClients, @Nullable Long maxRequestBodySize,
                            @Nullable Long portStartupWaitMillis, List<String> allowedOrigins,
                            Map<String, String> hostRewrite) {

    public SandboxRecord {
        requireLowerAlphanumeric("id", id);
        if (suffix != null) {
            requireLowerAlphanumeric("suffix", suffix);
        }
        requireHost(backendHost);
        state = state == null ? SandboxState.RUNNING : state;
        allowedPorts = allowedPorts == null ? Set.of() : Collections.unmodifiableSortedSet(new TreeSet<>(allowedPorts));
        for (int port : allowedPorts) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("allowedPorts: " + port + " is not a port number (1-65535)");
            }
        }
        if (accessToken != null && accessToken.isEmpty()) {
            throw new IllegalArgumentException("accessToken: must not be empty when present");
        }
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        allowedClients = allowedClients == null ? List.of() : List.copyOf(allowedClients);
        if (maxRequestBodySize != null && maxRequestBodySize < 0) {
            throw new IllegalArgumentException("maxRequestBodySize: must not be negative, was " + maxRequestBodySize);
        }
        allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
        for (String origin : allowedOrigins) {
            requireOrigin(origin);
        }
        hostRewrite = hostRewrite == null ? Map.of() : Map.copyOf(hostRewrite);
        hostRewrite.forEach(SandboxRecord::requireHostRewrite);
        if (portStartupWaitMillis != null && (portStartupWaitMillis < 0 || portStartupWaitMillis > MAX_PORT_STARTUP_WAIT_MILLIS)) {
            throw new IllegalArgumentException("portStartupWaitMillis: must be between 0 and " + MAX_PORT_STARTUP_WAIT_MILLIS
                    + " (10 minutes), was " + portStartupWaitMillis);
        }
    }

    /** The longest wait a record may ask for: a request is held no longer than this for a port to start. */
    public static final long MAX_PORT_STARTUP_WAIT_MILLIS = 600_000;

    /** A running sandbox reachable on every port, with no suffix, token or labels. */
    public static SandboxRecord running(String id, String backendHost) {
        return new SandboxRecord(id, null, backendHost, SandboxState.RUNNING, Set.of(), null, Map.of(), List.of(), null,
                null, List.of(), Map.of());
    }

    public SandboxRecord withSuffix(String newSuffix) {
        return new SandboxRecord(id, newSuffix, backendHost, state, allowedPorts, accessToken, labels, allowedClients,
                maxRequestBodySize, portStartupWaitMillis, allowedOrigins, hostRewrite);
    }

    public SandboxRecord withBackendHost(String newBackendHost) {
        return new SandboxRecord(id, suffix, newBackendHost, state, allowedPorts, accessToken, labels, allowedClients,
                maxRequestBodySize, portStartupWaitMillis, allowedOrigins, hostRewrite);
    }

    public SandboxRecord withState(SandboxState newState) {
        return new SandboxRecord(id, suffix, backendHost, newState, allowedPorts, accessToken, labels, allowedClients,
                maxRequestBodySize, portStartupWaitMillis, allowedOrigins, hostRewrite);
    }

    public SandboxRecord withAllowedPorts(Set<Integer> ports) {
        return new SandboxRecord(id, suffix, backendHost, state, ports, accessToken, labels, allowedClients,
                maxRequestBodySize, portStartupWaitMillis, allowedOrigins, hostRewrite);
    }

    /** @param token the token clients must present, or {@code null} for none */
    public SandboxRecord withAccessToken(@Nullable String token) {
        return new SandboxRecord(id, suffix, backendHost, state, allowedPorts, token, labels, allowedClients,
                maxRequestBodySize, portStartupWaitMillis, allowedOrigins, hostRewrite);
    }

    public SandboxRecord withAllowedClients(List<CidrBlock> clients) {
        return new SandboxRecord(id, suffix, backendHost, state, allowedPorts, accessToken, labels, clients,
                maxRequestBodySize, portStartupWaitMillis, allowedOrigins, hostRewrite);
    }

    public SandboxRecord withMaxRequestBodySize(Long bytes) {
        return new SandboxRecord(id, suffix, backendHost, state, allowedPorts, accessToken, labels, allowedClients,
                bytes, portStartupWaitMillis, allowedOrigins, hostRewrite);
    }

    public SandboxRecord withPortStartupWaitMillis(Long millis) {
        return new SandboxRecord(id, suffix, backendHost, state, allowedPorts, accessToken, labels, allowedClients,
                maxRequestBodySize, millis, allowedOrigins, hostRewrite);
    }

    public SandboxRecord withAllowedOrigins(List<String> origins) {
        return new SandboxRecord(id, suffix, backendHost, state, allowedPorts, accessToken, labels, allowedClients,
                maxRequestBodySize, portStartupWaitMillis, origins, hostRewrite);
    }

    public SandboxRecord withHostRewrite(Map<String, String> rewrite) {
        return new SandboxRecord(id, suffix, backendHost, state, allowedPorts, accessToken, labels, allowedClients,
                maxRequestBodySize, portStartupWaitMillis, allowedOrigins, rewrite);
    }

    /** The Host to send for {@code port}, or {@code null} to send the public one. */
    public @Nullable String rewrittenHost(int port) {
        if (hostRewrite.isEmpty()) {
            return null;
        }
        String template = hostRewrite.get(Integer.toString(port));
        if (template == null) {
            template = hostRewrite.get("*");
        }
        return template == null ? null : template.replace("${port}", Integer.toString(port));
    }

    public boolean allowsPort(int port) {
        return allowedPorts.isEmpty() || allowedPorts.contains(port);
    }

    public boolean allowsClient(byte[] address) {
        if (allowedClients.isEmpty()) {
            return true;
        }
        for (CidrBlock block : allowedClients) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static void requireLowerAlphanumeric(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(field + ": is required");
        }
        if (value.length() > 63) {
            throw new IllegalArgumentException(field + ": '" + value + "' is longer than 63 characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
                throw new IllegalArgumentException(field + ": '" + value + "' may contain only a-z and 0-9");
            }
        }
    }

    private static void requireHostRewrite(String port, String template) {
        if (!port.equals("*")) {
            int number;
            try {
                number = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                number = 0;
            }
            if (number < 1 || number > 65535) {
                throw new IllegalArgumentException("hostRewrite: '" + port + "' is neither a port nor *");
            }
        }
        String host = template == null ? "" : template.replace("${port}", "1");
        boolean ok = !host.isEmpty() && host.length() <= 255;
        for (int i = 0; i < host.length() && ok; i++) {
            char c = host.charAt(i);
            ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
                    || c == ':' || c == '[' || c == ']';
        }
        if (!ok) {
            throw new IllegalArgumentException("hostRewrite." + port + ": '" + template
                    + "' is not a host[:port] (${port} may stand for the port)");
        }
    }

    /** An origin as browsers send it: {@code scheme://host[:port]}, nothing after. */
    private static void requireOrigin(String origin) {
        int separator = origin == null ? -1 : origin.indexOf("://");
        boolean ok = separator > 0 && origin.length() > separator + 3
                && origin.indexOf('/', separator + 3) < 0 && origin.indexOf('?') < 0 && origin.indexOf('#') < 0
                && origin.equals(origin.toLowerCase(Locale.ROOT));
        if (!ok) {
            throw new IllegalArgumentException("allowedOrigins: '" + origin
                    + "' is not an origin like https://ide.example.com (lower case, no path)");
        }
    }

    private static void requireHost(String host) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("backendHost: is required");
        }
        if (host.length() > 253) {
            throw new IllegalArgumentException("backendHost: longer than 253 characters");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '-' || c == ':';
            if (!ok) {
                throw new IllegalArgumentException("backendHost: '" + host
                        + "' is neither an IP address nor a host name");
            }
        }
    }
}
