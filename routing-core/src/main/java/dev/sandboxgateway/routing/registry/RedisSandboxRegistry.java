package dev.sandboxgateway.routing.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.StaticCredentialsProvider;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.IOUringProvider;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLHandshakeException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sandbox records in Redis, shared by every gateway: one JSON value per sandbox under
 * {@code {prefix}sandbox:{id}}, and every change published on {@code {prefix}events} so each
 * gateway drops its cached entry at once. A write and its event are one Lua script, so no gateway
 * can see the event before the value.
 *
 * <p>Lookups fail at once while Redis is unreachable (the resolver then serves cached records
 * stale). Lettuce reconnects by itself; after the event subscription is re-established the
 * registry reports a reset, since events published meanwhile were missed. If Redis is down when
 * the gateway starts, connecting is retried in the background.
 */
public final class RedisSandboxRegistry implements WritableSandboxRegistry {

    /**
     * @param uri            e.g. {@code redis://host:6379/0}, {@code rediss://} for TLS
     * @param keyPrefix      prefix of every key and of the event channel, so several deployments can share one Redis
     * @param commandTimeout time allowed for one Redis command
     * @param username       the ACL user, or {@code null} for the URI's (or the default user)
     * @param password       the user's password, or {@code null}; better from the environment than a file
     *                       under version control
     * @param passwordFile   a file holding the password (a mounted secret), or {@code null}; wins over {@code password}
     * @param tls            certificates for {@code rediss://}
     */
    public record Settings(String uri, String keyPrefix, Duration commandTimeout, @Nullable String username,
                           @Nullable String password, @Nullable String passwordFile, Tls tls) {

        /** Without credentials beyond the URI's, and with the JVM's trusted authorities for TLS. */
        public Settings(String uri, String keyPrefix, Duration commandTimeout) {
            this(uri, keyPrefix, commandTimeout, null, null, null, Tls.NONE);
        }
    }

    /**
     * @param caFile          PEM file of the authorities that sign the Redis server's certificate, or
     *                        {@code null} for the JVM's
     * @param certificateFile PEM client certificate chain, for servers that ask for one, or {@code null}
     * @param keyFile         the client certificate's PEM key, or {@code null}
     */
    public record Tls(@Nullable String caFile, @Nullable String certificateFile, @Nullable String keyFile) {
        public static final Tls NONE = new Tls(null, null, null);
    }

    private static final Logger log = LoggerFactory.getLogger(RedisSandboxRegistry.class);
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private static final String SET_AND_PUBLISH =
            "redis.call('SET', KEYS[1], ARGV[1]); redis.call('PUBLISH', ARGV[2], ARGV[3]); return 1";
    private static final String DELETE_AND_PUBLISH =
            "local n = redis.call('DEL', KEYS[1]); if n > 0 then redis.call('PUBLISH', ARGV[1], ARGV[2]) end; return n";

    private final Settings settings;
    private final String keyPrefix;
    private final String channel;
    private final ClientResources resources;
    private final RedisClient client;
    private final @Nullable SslOptions ssl;
    private final ListenerSet listeners = new ListenerSet();
    private final ScheduledExecutorService connector;
    private final AtomicBoolean subscribedOnce = new AtomicBoolean();
    private volatile @Nullable StatefulRedisConnection<String, String> connection;
    /** A flush of the command connection is due (see {@link #sent}). */
    private final AtomicBoolean flushDue = new AtomicBoolean();
    private volatile @Nullable StatefulRedisPubSubConnection<String, String> events;
    private volatile boolean closed;

    private RedisSandboxRegistry(Settings settings) {
        this.settings = settings;
        this.keyPrefix = settings.keyPrefix() + "sandbox:";
        this.channel = settings.keyPrefix() + "events";
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(1)
                .computationThreadPoolSize(1)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, redisUri(settings));
        this.ssl = sslOptions(settings.tls());
        client.setOptions(options(settings.commandTimeout()));
        this.connector = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "redis-registry-connect");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The URI with the user and password of the settings, read from the password file when one is named. */
    private static RedisURI redisUri(Settings settings) {
        RedisURI uri = RedisURI.create(settings.uri());
        String password = settings.password();
        if (settings.passwordFile() != null) {
            try {
                password = Files.readString(Path.of(settings.passwordFile())).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException("registry.redis.passwordFile: " + settings.passwordFile()
                        + " cannot be read: " + e.getMessage(), e);
            }
        }
        if (settings.username() != null || password != null) {
            RedisCredentials fromUri = uri.getCredentialsProvider() instanceof StaticCredentialsProvider given
                    ? given.resolveCredentialsNow() : null;
            String user = settings.username() != null ? settings.username()
                    : fromUri != null && fromUri.hasUsername() ? fromUri.getUsername() : null;
            char[] secret = password != null ? password.toCharArray()
                    : fromUri != null && fromUri.hasPassword() ? fromUri.getPassword() : null;
            uri.setCredentialsProvider(new StaticCredentialsProvider(user, secret));
        }
        return uri;
    }

    private static @Nullable SslOptions sslOptions(Tls tls) {
        if (tls.caFile() == null && tls.certificateFile() == null) {
            return null;
        }
        SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider();
        if (tls.caFile() != null) {
            File ca = new File(tls.caFile());
            if (!ca.canRead()) {
                throw new IllegalArgumentException("registry.redis.tls.caFile: " + ca + " cannot be read");
            }
            ssl.trustManager(ca);
        }
        if (tls.certificateFile() != null) {
            if (tls.keyFile() == null) {
                throw new IllegalArgumentException("registry.redis.tls.keyFile: is required with registry.redis.tls.certificateFile");
            }
            ssl.keyManager(new File(tls.certificateFile()), new File(tls.keyFile()), null);
        }
        return ssl.build();
    }

    private ClientOptions options(Duration commandTimeout) {
        ClientOptions.Builder options = ClientOptions.builder();
        if (ssl != null) {
            options.sslOptions(ssl);
        }
        return options
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .socketOptions(socketOptions(commandTimeout))
                .build();
    }

    /**
     * A link that stops carrying packets (a partition, a host gone without a reset) is given up
     * after {@link #deadLinkTimeout}, so Lettuce reconnects and the registry reports a reset.
     * Without this the kernel retransmits with a doubling backoff for up to 15 minutes, and after
     * the network heals the gateway hears Redis again only at the next retransmission, serving stale
     * records meanwhile. Keep-alive probes cover the event subscription, which sends nothing while
     * it waits; {@code TCP_USER_TIMEOUT} covers unacknowledged commands and probes (Linux native
     * transports only: with NIO, keep-alive alone covers the idle subscription). A slow or paused Redis still acknowledges at the
     * TCP level, so it is never mistaken for a dead link.
     */
    private static SocketOptions socketOptions(Duration commandTimeout) {
        SocketOptions.Builder socket = SocketOptions.builder()
                .connectTimeout(commandTimeout)
                .keepAlive(SocketOptions.KeepAliveOptions.builder().enable()
                        .idle(Duration.ofSeconds(1)).interval(Duration.ofSeconds(1)).count(3).build());
        if (EpollProvider.isAvailable() || IOUringProvider.isAvailable()) {
            socket.tcpUserTimeout(SocketOptions.TcpUserTimeoutOptions.builder().enable()
                    .tcpUserTimeout(deadLinkTimeout(commandTimeout)).build());
        }
        return socket.build();
    }

    /** Three command timeouts, at least 3 s: how long Redis may leave what we sent unacknowledged. */
    static Duration deadLinkTimeout(Duration commandTimeout) {
        Duration three = commandTimeout.multipliedBy(3);
        return three.compareTo(Duration.ofSeconds(3)) < 0 ? Duration.ofSeconds(3) : three;
    }

    /**
     * Allows each command {@code timeout} from now on ({@code registry.redis.commandTimeout}, which a
     * reload may change): on the open connections at once, and on every connection made later.
     */
    public void commandTimeout(Duration timeout) {
        client.setOptions(options(timeout));
        StatefulRedisConnection<String, String> commands = connection;
        if (commands != null) {
            commands.setTimeout(timeout);
        }
        StatefulRedisPubSubConnection<String, String> subscriber = events;
        if (subscriber != null) {
            subscriber.setTimeout(timeout);
        }
    }

    /** The command timeout of the open connection, or {@code null} while there is none. */
    public @Nullable Duration currentCommandTimeout() {
        StatefulRedisConnection<String, String> commands = connection;
        return commands == null ? null : commands.getTimeout();
    }

    /**
     * Connects to Redis, waiting up to the command timeout for the first attempt; when it fails
     * the registry is returned unavailable and keeps trying in the background.
     */
    public static RedisSandboxRegistry open(Settings settings) {
        RedisURI.create(settings.uri());
        RedisSandboxRegistry registry = new RedisSandboxRegistry(settings);
        try {
            registry.connectOnce();
        } catch (RuntimeException e) {
            String misconfigured = misconfiguration(e, settings);
            if (misconfigured != null) {
                registry.close();
                throw new IllegalArgumentException(misconfigured, e);
            }
            log.warn("redis registry cannot reach {}: {}; retrying", registry.redacted(), e.getMessage());
            registry.connector.schedule(registry::connect, 1, TimeUnit.SECONDS);
        }
        return registry;
    }

    /**
     * What a failed first connection says about the settings, naming the key at fault: refused
     * credentials or an untrusted certificate will not mend by retrying. {@code null} for anything
     * else (Redis down, a network error), which the background reconnection outlasts.
     */
    static @Nullable String misconfiguration(Throwable failure, Settings settings) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            if (message.contains("WRONGPASS") || message.contains("NOAUTH") || message.contains("NOPERM")
                    || message.contains("invalid username-password")) {
                String key = settings.passwordFile() != null ? "registry.redis.passwordFile" : "registry.redis.password";
                return key + ": Redis refused the credentials" + (settings.username() == null ? ""
                        : " of user '" + settings.username() + "'") + ": " + message;
            }
            if (message.contains("Received fatal alert: certificate_required")
                    || message.contains("Received fatal alert: bad_certificate")
                    || message.contains("Received fatal alert: unknown_ca")) {
                // The server's alert: it wants a client certificate, or does not accept the one sent.
                return "registry.redis.tls.certificateFile: the Redis server refused the connection's client "
                        + "certificate" + (settings.tls().certificateFile() == null ? " (none is configured)" : "")
                        + ": " + message;
            }
            if (message.contains("PKIX path") || message.contains("unable to find valid certification path")
                    || (cause instanceof SSLHandshakeException && message.contains("certificate"))) {
                return "registry.redis.tls.caFile: the Redis server's certificate is not trusted"
                        + (settings.tls().caFile() == null ? " by the JVM's authorities (name the CA that signs it)"
                        : " by " + settings.tls().caFile()) + ": " + message;
            }
            if (cause instanceof SSLHandshakeException) {
                return "registry.redis.uri: the TLS handshake with Redis failed: " + message;
            }
        }
        return null;
    }

    private void connect() {
        if (closed) {
            return;
        }
        try {
            connectOnce();
        } catch (RuntimeException e) {
            log.warn("redis registry cannot reach {}: {}; retrying", redacted(), e.getMessage());
            connector.schedule(this::connect, 1, TimeUnit.SECONDS);
        }
    }

    private void connectOnce() {
        if (closed) {
            return;
        }
        StatefulRedisConnection<String, String> commands = connection;
        if (commands == null) {
            commands = client.connect();
            commands.setAutoFlushCommands(false); // see sent()
            connection = commands;
        }
        StatefulRedisPubSubConnection<String, String> subscriber = client.connectPubSub();
        subscriber.addListener(new EventListener());
        subscriber.sync().subscribe(channel);
        events = subscriber;
        log.info("redis registry connected to {} (keys {}*, events on {})", redacted(), keyPrefix, channel);
    }

    private String redacted() {
        RedisURI uri = RedisURI.create(settings.uri());
        if (uri.getSentinelMasterId() != null) {
            return "master " + uri.getSentinelMasterId() + " of sentinels " + uri.getSentinels().stream()
                    .map(sentinel -> sentinel.getHost() + ":" + sentinel.getPort()).toList() + "/" + uri.getDatabase();
        }
        return uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
    }

    /**
     * Sees a command just dispatched out to Redis. The command connection does not flush each
     * command: the first command dispatched in a turn of the calling event loop asks that loop to
     * flush once the turn's work is done, so the lookups of one turn leave in one write instead of
     * one write (and one task on the Redis client's thread) each. Off an event loop it flushes at
     * once. The flag is cleared before flushing, so a command buffered after a flush began asks
     * for another. Netty's ThreadExecutorMap is internal API, but the only way to find the event
     * loop a caller runs on without widening SandboxRegistry.lookup for it.
     */
    private <T> CompletableFuture<T> sent(StatefulRedisConnection<String, String> commands, RedisFuture<T> dispatched) {
        if (flushDue.compareAndSet(false, true)) {
            EventExecutor loop = ThreadExecutorMap.currentExecutor();
            if (loop == null) {
                flush(commands);
            } else {
                loop.execute(() -> flush(commands));
            }
        }
        return dispatched.toCompletableFuture();
    }

    private void flush(StatefulRedisConnection<String, String> commands) {
        flushDue.set(false);
        commands.flushCommands();
    }

    @Override
    public CompletableFuture<Optional<SandboxRecord>> lookup(String sandboxId) {
        StatefulRedisConnection<String, String> commands = connection;
        if (commands == null) {
            return unavailable();
        }
        return unavailableOnError("lookup of '" + sandboxId + "'",
                sent(commands, commands.async().get(keyPrefix + sandboxId)))
                .thenApply(json -> json == null ? Optional.empty() : Optional.of(parse(sandboxId, json)));
    }

    @Override
    public CompletableFuture<List<SandboxRecord>> list() {
        StatefulRedisConnection<String, String> commands = connection;
        if (commands == null) {
            return unavailable();
        }
        List<String> keys = new ArrayList<>();
        return unavailableOnError("listing sandboxes", scan(commands, ScanCursor.INITIAL, keys).thenCompose(done -> {
            if (keys.isEmpty()) {
                return CompletableFuture.completedFuture(List.<SandboxRecord>of());
            }
            return sent(commands, commands.async().mget(keys.toArray(String[]::new)))
                    .thenApply(values -> values.stream()
                            .filter(value -> value.hasValue())
                            .map(value -> parse(value.getKey().substring(keyPrefix.length()), value.getValue()))
                            .toList());
        }));
    }

    private CompletableFuture<Void> scan(StatefulRedisConnection<String, String> commands, ScanCursor cursor,
                                         List<String> keys) {
        return sent(commands, commands.async().scan(cursor, ScanArgs.Builder.matches(keyPrefix + "*").limit(500)))
                .toCompletableFuture()
                .thenCompose((KeyScanCursor<String> next) -> {
                    keys.addAll(next.getKeys());
                    return next.isFinished() ? CompletableFuture.completedFuture(null) : scan(commands, next, keys);
                });
    }

    @Override
    public CompletableFuture<Void> put(SandboxRecord record) {
        StatefulRedisConnection<String, String> commands = connection;
        if (commands == null) {
            return unavailable();
        }
        String json = write(record);
        ObjectNode event = JSON.createObjectNode().put("event", "updated");
        event.set("sandbox", JSON.valueToTree(record));
        return unavailableOnError("writing sandbox '" + record.id() + "'",
                sent(commands, commands.async().<Long>eval(SET_AND_PUBLISH, ScriptOutputType.INTEGER,
                        new String[] {keyPrefix + record.id()}, json, channel, event.toString())))
                .thenApply(ignored -> null);
    }

    @Override
    public CompletableFuture<Boolean> remove(String sandboxId) {
        StatefulRedisConnection<String, String> commands = connection;
        if (commands == null) {
            return unavailable();
        }
        String event = JSON.createObjectNode().put("event", "removed").put("id", sandboxId).toString();
        return unavailableOnError("removing sandbox '" + sandboxId + "'",
                sent(commands, commands.async().<Long>eval(DELETE_AND_PUBLISH, ScriptOutputType.INTEGER,
                        new String[] {keyPrefix + sandboxId}, channel, event)))
                .thenApply(deleted -> deleted > 0);
    }

    @Override
    public Subscription subscribe(RegistryListener listener) {
        return listeners.add(listener);
    }

    @Override
    public String kind() {
        return "redis";
    }

    @Override
    public boolean isAvailable() {
        StatefulRedisConnection<String, String> commands = connection;
        StatefulRedisPubSubConnection<String, String> subscriber = events;
        return commands != null && commands.isOpen() && subscriber != null && subscriber.isOpen();
    }

    @Override
    public void close() {
        closed = true;
        connector.shutdownNow();
        if (events != null) {
            events.close();
        }
        if (connection != null) {
            connection.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    /** Redis failures become {@link RegistryUnavailableException}s naming what was being done. */
    private static <T> CompletableFuture<T> unavailableOnError(String what, CompletableFuture<T> call) {
        return call.handle((value, error) -> {
            if (error == null) {
                return value;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof RegistryUnavailableException unavailable) {
                throw unavailable;
            }
            throw new RegistryUnavailableException("redis " + what + " failed: " + cause.getMessage(), cause);
        });
    }

    private <T> CompletableFuture<T> unavailable() {
        return CompletableFuture.failedFuture(new RegistryUnavailableException("redis at " + redacted()
                + " is not connected yet"));
    }

    private static SandboxRecord parse(String sandboxId, String json) {
        try {
            SandboxRecord record = JSON.readValue(json, SandboxRecord.class);
            if (!record.id().equals(sandboxId)) {
                throw new RegistryUnavailableException("redis key for '" + sandboxId + "' holds sandbox '"
                        + record.id() + "'");
            }
            return record;
        } catch (JsonProcessingException e) {
            throw new RegistryUnavailableException("redis value for sandbox '" + sandboxId + "' is not a valid record: "
                    + e.getOriginalMessage(), e);
        }
    }

    private static String write(SandboxRecord record) {
        try {
            return JSON.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a validated record always serialises", e);
        }
    }

    /** Change events from every gateway; a repeated subscription confirmation means a reconnect. */
    private final class EventListener extends RedisPubSubAdapter<String, String> {

        @Override
        public void subscribed(String subscribedChannel, long count) {
            if (!subscribedOnce.compareAndSet(false, true)) {
                log.info("redis registry resubscribed to {}: dropping every cached route, events may have been missed",
                        channel);
                listeners.reset();
            }
        }

        @Override
        public void message(String fromChannel, String message) {
            try {
                JsonNode event = JSON.readTree(message);
                switch (event.path("event").asText()) {
                    case "updated" -> listeners.updated(JSON.treeToValue(event.get("sandbox"), SandboxRecord.class));
                    case "removed" -> listeners.removed(event.path("id").asText());
                    default -> log.warn("ignoring unknown redis registry event on {}: {}", channel, message);
                }
            } catch (JsonProcessingException | RuntimeException e) {
                // A malformed event means some change went unseen: drop every cached route rather than miss it.
                log.error("unreadable redis registry event on {}; dropping every cached route: {}", channel, message, e);
                listeners.reset();
            }
        }
    }
}
