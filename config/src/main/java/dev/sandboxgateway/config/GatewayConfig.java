package dev.sandboxgateway.config;

import dev.sandboxgateway.routing.host.LengthRange;
import dev.sandboxgateway.routing.registry.HttpSandboxRegistry;
import dev.sandboxgateway.routing.registry.RedisSandboxRegistry;
import dev.sandboxgateway.routing.resolve.SandboxResolver;
import dev.sandboxgateway.routing.resolve.SandboxWaker;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The whole gateway configuration: what one YAML file holds. Every key and its default is listed
 * in docs/configuration.md; {@link #defaults()} is the single place defaults live. Groups that a
 * routing-core component takes as a whole ({@code cache}, {@code wakeUp}, {@code registry.redis},
 * {@code registry.http}, the length bounds) are bound straight into that component's own settings
 * record, so no setting is copied by hand from one type to another.
 */
public record GatewayConfig(Server server, Routing routing, Registry registry, SandboxResolver.Settings cache,
                            Backend backend, Timeouts timeouts, Limits limits, Security security, Lifecycle lifecycle,
                            SandboxWaker.Settings wakeUp, Shutdown shutdown, Admin admin, Ops ops, AccessLog accessLog,
                            Logging logging, Access access, WebSocket webSocket, Tls tls, Http2 http2) {

    /**
     * The public listener.
     *
     * @param bindAddress          address to listen on
     * @param port                 port to listen on; 0 picks a free one
     * @param transport            auto, epoll, io_uring or nio
     * @param ioThreads            event loop threads; 0 means one per core
     * @param maxInitialLineLength longest request line accepted (414 beyond)
     * @param maxHeaderSize        largest total request header size accepted (431 beyond)
     * @param maxHeaderCount       most request header fields accepted (431 beyond)
     * @param proxyProtocol        every connection starts with a PROXY protocol v1 or v2 header from a trusted proxy
     * @param ioCoalescing         how long a loaded event loop waits on its own timer to gather I/O before
     *                             collecting it, instead of being woken by every packet; zero turns it off
     * @param deferAccept          how long the kernel holds a new connection that has sent nothing before
     *                             handing it to the gateway (TCP_DEFER_ACCEPT, whole seconds); zero turns it off
     */
    public record Server(String bindAddress, int port, Transport transport, int ioThreads,
                         int maxInitialLineLength, int maxHeaderSize, int maxHeaderCount, boolean proxyProtocol,
                         Duration ioCoalescing, Duration deferAccept) {
    }

    /**
     * Which hosts name which sandboxes.
     *
     * @param baseDomains     wildcard domains: {port}-{id}[-{suffix}].{baseDomain}
     * @param sharedHosts     hosts whose requests name the sandbox in X-Sandbox-Id/X-Sandbox-Port;
     *                        when absent, every base domain and localhost
     * @param sandboxIdLength allowed sandbox id length
     * @param suffixLength    allowed suffix length
     */
    public record Routing(List<String> baseDomains, @Nullable List<String> sharedHosts, LengthRange sandboxIdLength,
                          LengthRange suffixLength) {
    }

    /**
     * Where sandbox records come from.
     *
     * @param type         file or memory
     * @param file         the registry file (YAML, or JSON when it ends in .json), for type file
     * @param pollInterval how often the file is checked for edits
     * @param redis        the shared Redis, for type redis
     * @param http         the control plane's API, for type http
     */
    public record Registry(RegistryType type, String file, Duration pollInterval, RedisSandboxRegistry.Settings redis,
                           HttpSandboxRegistry.Settings http) {
    }

    /**
     * Connections to sandboxes.
     *
     * @param connectTimeout  time allowed for a TCP connect (504 beyond); also how long a DNS query for a
     *                        backend host name may take
     * @param responseTimeout time from the request being sent to the response head arriving (504 beyond)
     * @param pool            connection pool limits
     * @param dnsServers      DNS servers for backend host names ({@link NameServer}); empty for the
     *                        system's ({@code /etc/resolv.conf})
     * @param portStartupWait how long a request to a port that refuses connections is held while the
     *                        connect is retried (a server still starting); zero answers at once. A
     *                        record's {@code portStartupWaitMillis} overrides it
     * @param maxHeldRequests requests held that way at once, gateway-wide; beyond it they are answered at once
     * @param maxHeldRequestsPerSandbox the same, per sandbox
     */
    public record Backend(Duration connectTimeout, Duration responseTimeout, Pool pool, List<String> dnsServers,
                          Duration portStartupWait, int maxHeldRequests, int maxHeldRequestsPerSandbox) {
    }

    /**
     * Backend connection pooling; pools are kept per event loop, and so are these limits.
     *
     * @param maxIdlePerBackend        idle connections kept per backend address
     * @param maxConnectionsPerBackend open connections allowed per backend address (503 beyond)
     * @param idleTimeout              idle pooled connections are closed after this
     */
    public record Pool(int maxIdlePerBackend, int maxConnectionsPerBackend, Duration idleTimeout) {
    }

    /**
     * Client-side timeouts.
     *
     * @param requestHeader  time for a complete request head, counted from its first byte or from connect (408)
     * @param requestBodyIdle a request body that stops arriving for this long is answered 408 (while the gateway reads)
     * @param keepAliveIdle  an idle keep-alive connection is closed after this
     * @param webSocketIdle  a WebSocket tunnel with no traffic either way is closed after this
     */
    public record Timeouts(Duration requestHeader, Duration requestBodyIdle, Duration keepAliveIdle,
                           Duration webSocketIdle) {
    }

    /**
     * Limits that protect the gateway and the sandboxes from clients; 0 switches a limit off.
     *
     * @param maxConnections           open client connections in total (503 beyond)
     * @param maxConnectionsPerSandbox open client connections addressing one sandbox (503 beyond)
     * @param maxRequestBodySize       largest request body in bytes, unless a sandbox record sets its own (413 beyond)
     * @param perSandboxRate           request rate allowed per sandbox (429 beyond)
     * @param perClientRate            request rate allowed per client address (429 beyond)
     */
    public record Limits(int maxConnections, int maxConnectionsPerSandbox, long maxRequestBodySize,
                         Rate perSandboxRate, Rate perClientRate) {
    }

    /**
     * A token-bucket rate; a requestsPerSecond of 0 switches it off.
     *
     * @param requestsPerSecond sustained rate
     * @param burst             requests admitted at once after a quiet period; 0 means one second's worth
     */
    public record Rate(double requestsPerSecond, int burst) {
    }

    /**
     * Who may reach what.
     *
     * @param allowedPorts   port ranges any sandbox may be reached on, e.g. 1024-65535
     * @param deniedPorts    port ranges no sandbox may be reached on, whatever its record says
     * @param trustedProxies address blocks whose X-Forwarded-* headers and PROXY protocol headers are believed
     */
    public record Security(List<String> allowedPorts, List<String> deniedPorts, List<String> trustedProxies) {
    }

    /**
     * What happens to open connections when their sandbox changes.
     *
     * @param closeGrace time an in-flight response gets to finish when its sandbox is removed,
     *                   stopped or moved, before its connection is closed
     */
    public record Lifecycle(Duration closeGrace) {
    }

    /**
     * @param readinessGrace how long after SIGTERM the gateway reports not ready but still accepts and
     *                       serves, so load balancers stop sending before the listener closes
     * @param drainTimeout   time in-flight requests get to finish once the gateway stops accepting
     */
    public record Shutdown(Duration readinessGrace, Duration drainTimeout) {
    }

    /**
     * The admin listener: health, metrics and the registry API.
     *
     * @param enabled     whether it listens at all
     * @param bindAddress address to listen on; loopback by default
     * @param port        port to listen on; 0 picks a free one
     * @param token       bearer token required on /v1 when set
     */
    public record Admin(boolean enabled, String bindAddress, int port, @Nullable String token) {
    }

    /**
     * The ops listener: health, readiness and metrics only, for probes and Prometheus from the
     * cluster, while the registry API stays on the admin listener.
     *
     * @param enabled     whether it listens at all
     * @param bindAddress address to listen on; every address by default, since probes come from elsewhere
     * @param port        port to listen on; 0 picks a free one
     */
    public record Ops(boolean enabled, String bindAddress, int port) {
    }

    /** @param enabled one structured line per request on the "access" logger */
    public record AccessLog(boolean enabled) {
    }

    /**
     * WebSocket tunnels.
     *
     * @param pingInterval how long a tunnel may be quiet before the gateway pings the client (the
     *                     pong is absorbed), so load balancers with idle timeouts keep quiet dev-server
     *                     sockets open; zero sends none
     */
    public record WebSocket(Duration pingInterval) {
    }

    /** How browsers hold a sandbox's access token once they presented it in the URL. */
    public record Access(AccessCookie cookie) {
    }

    /**
     * @param sameSite {@code lax}, or {@code none} for previews inside another site's iframe (over TLS:
     *                 {@code SameSite=None; Secure; Partitioned})
     */
    public record AccessCookie(CookieSameSite sameSite) {
    }

    /**
     * The application log (everything but the access log, which is always JSON).
     *
     * @param format {@code text} lines, or {@code json}: one object per line from Logback's JSON encoder
     */
    public record Logging(LogFormat format) {
    }

    /**
     * The HTTPS listener, on {@code server.bindAddress}.
     *
     * @param enabled        whether it listens at all
     * @param port           port to listen on; 0 picks a free one
     * @param certificates   each a PEM file holding the certificate chain and its PKCS#8 private key, or a
     *                       directory holding {@code tls.crt} and {@code tls.key} (a Kubernetes TLS secret);
     *                       chosen by SNI against each certificate's DNS names, the first one otherwise
     * @param reloadInterval how often the files are checked for changes; changed ones serve new connections
     * @param provider       auto (OpenSSL through netty-tcnative when it loads, else the JDK), openssl or jdk
     * @param groups         key exchange groups in preference order, by OpenSSL's names (X25519MLKEM768,
     *                       X25519, P-256, P-384); empty keeps the provider's own list, which with BoringSSL
     *                       puts the post-quantum hybrid X25519MLKEM768 first
     * @param redirectHttp   the plain listener answers every request for a sandbox host with a 308 to https
     * @param redirectPort   the https port named in those redirects; 443 is left out of the URL
     */
    public record Tls(boolean enabled, int port, List<String> certificates, Duration reloadInterval,
                      TlsProvider provider, List<String> groups, boolean redirectHttp, int redirectPort) {
    }

    /**
     * HTTP/2 from clients. Streams are relayed over pooled HTTP/1.1 backend connections, gRPC
     * streams over HTTP/2 cleartext to the sandbox.
     *
     * @param enabled              ALPN offers h2 (besides http/1.1) on the TLS listener
     * @param cleartext            the plain listener also accepts HTTP/2 with prior knowledge (h2c)
     * @param maxConcurrentStreams streams one client connection may have open at once
     * @param initialWindowSize    bytes a client may send on one stream before the gateway asks for more;
     *                             the backpressure on uploads
     */
    public record Http2(boolean enabled, boolean cleartext, int maxConcurrentStreams, int initialWindowSize) {
    }

    public static GatewayConfig defaults() {
        return new GatewayConfig(
                new Server("0.0.0.0", 8080, Transport.AUTO, 0, 8192, 16384, 100, false, Duration.of(20, ChronoUnit.MICROS),
                        Duration.ofSeconds(1)),
                new Routing(List.of("localhost"), null, new LengthRange(1, 63), new LengthRange(1, 63)),
                new Registry(RegistryType.FILE, "sandboxes.yaml", Duration.ofSeconds(1),
                        new RedisSandboxRegistry.Settings("redis://127.0.0.1:6379", "sandbox-gateway:",
                                Duration.ofSeconds(1), null, null, null, RedisSandboxRegistry.Tls.NONE),
                        new HttpSandboxRegistry.Settings(null, "/sandboxes/{id}", null, Duration.ofSeconds(2), 64,
                                HttpSandboxRegistry.FieldMapping.DEFAULT)),
                new SandboxResolver.Settings(100_000, Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofSeconds(30),
                        Duration.ofMinutes(10)),
                new Backend(Duration.ofSeconds(5), Duration.ofSeconds(60),
                        new Pool(64, 1024, Duration.ofSeconds(60)), List.of(), Duration.ofSeconds(5), 10_000, 200),
                new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(75), Duration.ofHours(1)),
                new Limits(100_000, 0, 0, new Rate(0, 0), new Rate(0, 0)),
                new Security(List.of("1-65535"), List.of(), List.of()),
                new Lifecycle(Duration.ofSeconds(5)),
                new SandboxWaker.Settings(null, null, Duration.ofSeconds(30), Duration.ofMillis(500)),
                new Shutdown(Duration.ZERO, Duration.ofSeconds(30)),
                new Admin(true, "127.0.0.1", 9090, null),
                new Ops(false, "0.0.0.0", 9091),
                new AccessLog(true),
                new Logging(LogFormat.TEXT),
                new Access(new AccessCookie(CookieSameSite.LAX)),
                new WebSocket(Duration.ZERO),
                new Tls(false, 8443, List.of(), Duration.ofSeconds(10), TlsProvider.AUTO, List.of(), false, 443),
                new Http2(true, false, 256, 256 * 1024));
    }
}
