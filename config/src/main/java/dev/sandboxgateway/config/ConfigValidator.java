package dev.sandboxgateway.config;

import dev.sandboxgateway.routing.host.LengthRange;
import dev.sandboxgateway.routing.policy.PortRanges;
import dev.sandboxgateway.routing.registry.CidrBlock;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Checks values that bind but cannot work, naming each key and why. */
final class ConfigValidator {

    private final List<String> problems = new ArrayList<>();

    private ConfigValidator() {
    }

    static List<String> validate(GatewayConfig config) {
        ConfigValidator v = new ConfigValidator();
        v.check(config);
        return v.problems;
    }

    private void check(GatewayConfig c) {
        notBlank("server.bindAddress", c.server().bindAddress());
        range("server.port", c.server().port(), 0, 65535);
        range("server.ioThreads", c.server().ioThreads(), 0, 1024);
        range("server.maxInitialLineLength", c.server().maxInitialLineLength(), 256, 1 << 20);
        range("server.maxHeaderSize", c.server().maxHeaderSize(), 1024, 1 << 20);
        range("server.maxHeaderCount", c.server().maxHeaderCount(), 1, 10_000);
        between("server.ioCoalescing", c.server().ioCoalescing(), Duration.ZERO, Duration.ofMillis(1));
        between("server.deferAccept", c.server().deferAccept(), Duration.ZERO, Duration.ofMinutes(1));
        if (c.server().deferAccept() != null && c.server().deferAccept().toNanosPart() != 0) {
            problems.add("server.deferAccept: must be whole seconds (the kernel counts it so), was "
                    + DurationFormat.format(c.server().deferAccept()));
        }
        if (c.server().proxyProtocol() && (c.security().trustedProxies() == null
                || c.security().trustedProxies().isEmpty())) {
            problems.add("server.proxyProtocol: needs security.trustedProxies, the load balancers allowed to send it");
        }

        if (c.routing().baseDomains() == null || c.routing().baseDomains().isEmpty()) {
            problems.add("routing.baseDomains: at least one base domain is required");
        } else {
            c.routing().baseDomains().forEach(d -> domain("routing.baseDomains", d));
        }
        if (c.routing().sharedHosts() != null) {
            c.routing().sharedHosts().forEach(d -> domain("routing.sharedHosts", d));
        }
        length("routing.sandboxIdLength", c.routing().sandboxIdLength());
        length("routing.suffixLength", c.routing().suffixLength());

        if (c.registry().type() == RegistryType.FILE) {
            notBlank("registry.file", c.registry().file());
        }
        atLeast("registry.pollInterval", c.registry().pollInterval(), Duration.ofMillis(10));
        if (c.registry().type() == RegistryType.REDIS) {
            String uri = c.registry().redis().uri();
            if (uri == null || !(uri.startsWith("redis://") || uri.startsWith("rediss://")
                    || uri.startsWith("redis-sentinel://") || uri.startsWith("rediss-sentinel://"))) {
                problems.add("registry.redis.uri: must start with redis://, rediss:// or redis-sentinel://, was " + uri);
            } else if (uri.contains("sentinel://") && !uri.contains("#")) {
                problems.add("registry.redis.uri: a Sentinel URI names its master after '#' "
                        + "(redis-sentinel://host1:26379,host2:26379/0#mymaster), was " + uri);
            }
            atLeast("registry.redis.commandTimeout", c.registry().redis().commandTimeout(), Duration.ofMillis(1));
        }
        if (c.registry().type() == RegistryType.HTTP) {
            URI base = c.registry().http().baseUrl();
            if (base == null || !("http".equalsIgnoreCase(base.getScheme()) || "https".equalsIgnoreCase(base.getScheme()))) {
                problems.add("registry.http.baseUrl: must be an http:// or https:// URL, was " + base);
            }
            String template = c.registry().http().pathTemplate();
            if (template == null || !template.contains("{id}")) {
                problems.add("registry.http.pathTemplate: must contain {id}, was " + template);
            }
            atLeast("registry.http.timeout", c.registry().http().timeout(), Duration.ofMillis(1));
            range("registry.http.maxConcurrentRequests", c.registry().http().maxConcurrentRequests(), 1, 10_000);
            String backendHost = c.registry().http().fields().backendHost();
            if (backendHost == null || backendHost.isEmpty()) {
                problems.add("registry.http.fields.backendHost: is required, the gateway cannot route without it");
            }
        }

        if (c.cache().maximumSize() < 1) {
            problems.add("cache.maximumSize: must be at least 1, was " + c.cache().maximumSize());
        }
        positive("cache.foundTtl", c.cache().foundTtl());
        positive("cache.notFoundTtl", c.cache().notFoundTtl());
        positive("cache.refreshAfter", c.cache().refreshAfter());
        atLeast("cache.staleGrace", c.cache().staleGrace(), Duration.ZERO);
        if (c.cache().refreshAfter() != null && c.cache().foundTtl() != null
                && c.cache().refreshAfter().compareTo(c.cache().foundTtl()) >= 0) {
            problems.add("cache.refreshAfter: must be shorter than cache.foundTtl ("
                    + DurationFormat.format(c.cache().foundTtl()) + "), or entries expire before they are refreshed");
        }

        atLeast("backend.connectTimeout", c.backend().connectTimeout(), Duration.ofMillis(1));
        atLeast("backend.responseTimeout", c.backend().responseTimeout(), Duration.ofMillis(1));
        range("backend.pool.maxIdlePerBackend", c.backend().pool().maxIdlePerBackend(), 0, 100_000);
        range("backend.pool.maxConnectionsPerBackend", c.backend().pool().maxConnectionsPerBackend(), 1, 1_000_000);
        atLeast("backend.pool.idleTimeout", c.backend().pool().idleTimeout(), Duration.ofMillis(1));
        each("backend.dnsServers", c.backend().dnsServers(), NameServer::parse);
        between("webSocket.pingInterval", c.webSocket().pingInterval(), Duration.ZERO, Duration.ofHours(1));
        between("backend.portStartupWait", c.backend().portStartupWait(), Duration.ZERO, Duration.ofMinutes(10));
        range("backend.maxHeldRequests", c.backend().maxHeldRequests(), 1, 1_000_000);
        range("backend.maxHeldRequestsPerSandbox", c.backend().maxHeldRequestsPerSandbox(), 1,
                Math.max(1, c.backend().maxHeldRequests()));

        atLeast("timeouts.requestHeader", c.timeouts().requestHeader(), Duration.ofMillis(1));
        atLeast("timeouts.requestBodyIdle", c.timeouts().requestBodyIdle(), Duration.ofMillis(1));
        atLeast("timeouts.keepAliveIdle", c.timeouts().keepAliveIdle(), Duration.ofMillis(1));
        atLeast("timeouts.webSocketIdle", c.timeouts().webSocketIdle(), Duration.ofMillis(1));
        range("limits.maxConnections", c.limits().maxConnections(), 0, 10_000_000);
        range("limits.maxConnectionsPerSandbox", c.limits().maxConnectionsPerSandbox(), 0, 10_000_000);
        range("limits.maxRequestBodySize", c.limits().maxRequestBodySize(), 0, Long.MAX_VALUE);
        rate("limits.perSandboxRate", c.limits().perSandboxRate());
        rate("limits.perClientRate", c.limits().perClientRate());

        each("security.allowedPorts", c.security().allowedPorts(), PortRanges.Range::parse);
        each("security.deniedPorts", c.security().deniedPorts(), PortRanges.Range::parse);
        each("security.trustedProxies", c.security().trustedProxies(), CidrBlock::parse);

        atLeast("lifecycle.closeGrace", c.lifecycle().closeGrace(), Duration.ZERO);
        String wakeUrl = c.wakeUp().url();
        if (wakeUrl != null && !(wakeUrl.startsWith("http://") || wakeUrl.startsWith("https://"))) {
            problems.add("wakeUp.url: must be an http:// or https:// URL, was " + wakeUrl);
        }
        atLeast("wakeUp.timeout", c.wakeUp().timeout(), Duration.ofMillis(1));
        atLeast("wakeUp.pollInterval", c.wakeUp().pollInterval(), Duration.ofMillis(10));
        atLeast("shutdown.readinessGrace", c.shutdown().readinessGrace(), Duration.ZERO);
        atLeast("shutdown.drainTimeout", c.shutdown().drainTimeout(), Duration.ZERO);

        notBlank("admin.bindAddress", c.admin().bindAddress());
        range("admin.port", c.admin().port(), 0, 65535);
        if (c.admin().token() != null && c.admin().token().isBlank()) {
            problems.add("admin.token: must not be blank when set (leave it out to disable authentication)");
        } else if (c.admin().enabled() && c.admin().token() == null && !isLoopback(c.admin().bindAddress())) {
            problems.add("admin.token: required when admin.bindAddress (" + c.admin().bindAddress() + ") is not a"
                    + " loopback address: without it anyone who reaches the port can rewrite the registry's routes");
        }
        if (c.admin().enabled() && c.admin().port() != 0 && c.admin().port() == c.server().port()) {
            problems.add("admin.port: must differ from server.port (" + c.server().port() + ")");
        }
        notBlank("ops.bindAddress", c.ops().bindAddress());
        range("ops.port", c.ops().port(), 0, 65535);
        if (c.ops().enabled() && c.ops().port() != 0) {
            if (c.ops().port() == c.server().port()) {
                problems.add("ops.port: must differ from server.port (" + c.server().port() + ")");
            }
            if (c.admin().enabled() && c.ops().port() == c.admin().port()) {
                problems.add("ops.port: must differ from admin.port (" + c.admin().port() + ")");
            }
            if (c.tls().enabled() && c.ops().port() == c.tls().port()) {
                problems.add("ops.port: must differ from tls.port (" + c.tls().port() + ")");
            }
        }

        GatewayConfig.Tls tls = c.tls();
        range("tls.port", tls.port(), 0, 65535);
        if (tls.enabled() && (tls.certificates() == null || tls.certificates().isEmpty())) {
            problems.add("tls.certificates: at least one certificate is required when tls.enabled is true");
        }
        if (tls.certificates() != null) {
            tls.certificates().forEach(path -> notBlank("tls.certificates", path));
        }
        if (tls.enabled() && tls.port() != 0 && tls.port() == c.server().port()) {
            problems.add("tls.port: must differ from server.port (" + c.server().port() + ")");
        }
        if (tls.enabled() && c.admin().enabled() && tls.port() != 0 && tls.port() == c.admin().port()) {
            problems.add("tls.port: must differ from admin.port (" + c.admin().port() + ")");
        }
        atLeast("tls.reloadInterval", tls.reloadInterval(), Duration.ofMillis(10));
        range("tls.redirectPort", tls.redirectPort(), 1, 65535);
        if (tls.groups() != null) {
            for (String group : tls.groups()) {
                if (group == null || !group.matches("[A-Za-z0-9_-]+")) {
                    problems.add("tls.groups: '" + group + "' is not a group name such as X25519, P-256 or X25519MLKEM768");
                }
            }
            if (!tls.groups().isEmpty() && tls.provider() == TlsProvider.JDK) {
                problems.add("tls.groups: needs tls.provider openssl or auto; the JDK provider cannot restrict the groups"
                        + " of one listener");
            }
        }
        range("http2.maxConcurrentStreams", c.http2().maxConcurrentStreams(), 1, 100_000);
        range("http2.initialWindowSize", c.http2().initialWindowSize(), 65_535, Integer.MAX_VALUE);
    }

    private void rate(String key, GatewayConfig.Rate rate) {
        if (rate == null) {
            problems.add(key + ": is required");
            return;
        }
        if (!(rate.requestsPerSecond() >= 0) || Double.isInfinite(rate.requestsPerSecond())) {
            problems.add(key + ".requestsPerSecond: must be a number of at least 0 (0 switches the limit off), was "
                    + rate.requestsPerSecond());
        }
        range(key + ".burst", rate.burst(), 0, 1_000_000_000);
    }

    private void each(String key, List<String> values, Consumer<String> parser) {
        if (values == null) {
            problems.add(key + ": is required (an empty list is allowed)");
            return;
        }
        for (String value : values) {
            try {
                parser.accept(value);
            } catch (IllegalArgumentException e) {
                problems.add(key + ": " + e.getMessage());
            }
        }
    }

    private void notBlank(String key, String value) {
        if (value == null || value.isBlank()) {
            problems.add(key + ": is required");
        }
    }

    private void range(String key, long value, long min, long max) {
        if (value < min || value > max) {
            problems.add(key + ": must be between " + min + " and " + max + ", was " + value);
        }
    }

    private void positive(String key, Duration value) {
        atLeast(key, value, Duration.ofNanos(1));
    }

    private void atLeast(String key, Duration value, Duration min) {
        if (value == null) {
            problems.add(key + ": is required");
        } else if (value.compareTo(min) < 0) {
            problems.add(key + ": must be at least " + DurationFormat.format(min) + ", was "
                    + DurationFormat.format(value));
        }
    }

    private void between(String key, Duration value, Duration min, Duration max) {
        atLeast(key, value, min);
        if (value != null && value.compareTo(max) > 0) {
            problems.add(key + ": must be at most " + DurationFormat.format(max) + ", was "
                    + DurationFormat.format(value));
        }
    }

    private void length(String key, LengthRange length) {
        if (length == null) {
            problems.add(key + ": is required");
        } else {
            length.problem().ifPresent(problem -> problems.add(key + ": " + problem));
        }
    }

    private void domain(String key, String domain) {
        if (domain == null || domain.isBlank()) {
            problems.add(key + ": contains an empty entry");
            return;
        }
        for (int i = 0; i < domain.length(); i++) {
            char c = Character.toLowerCase(domain.charAt(i));
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
                problems.add(key + ": '" + domain + "' is not a domain name");
                return;
            }
        }
    }

    /**
     * Whether {@code address} names only this host: {@code localhost} or a literal loopback address.
     * A host name is not resolved here, so any other name counts as reachable from elsewhere.
     */
    static boolean isLoopback(String address) {
        String bare = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1)
                : address;
        return bare.equalsIgnoreCase("localhost") || bare.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")
                || bare.equals("::1") || bare.equals("0:0:0:0:0:0:0:1");
    }
}
