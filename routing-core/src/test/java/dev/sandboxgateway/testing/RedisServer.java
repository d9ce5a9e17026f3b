package dev.sandboxgateway.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A real {@code redis-server} on a free loopback port, with no persistence, stopped by its own
 * PID. A missing binary fails the test loudly: a Redis test that skips itself proves nothing.
 */
public final class RedisServer implements AutoCloseable {

    private final Path binary;
    private final int port;
    /** Configuration lines beyond the defaults, as redis-server takes them on its command line. */
    private final List<String> extra;
    private final boolean tls;
    /** A sentinel's configuration file (sentinels rewrite theirs), or null for a Redis server. */
    private final Path sentinelConfig;
    private Process process;

    private RedisServer(Path binary, int port, List<String> extra, boolean tls, Path sentinelConfig) {
        this.binary = binary;
        this.port = port;
        this.extra = extra;
        this.tls = tls;
        this.sentinelConfig = sentinelConfig;
    }

    /** A replica of the server on {@code masterPort}. */
    public static RedisServer startReplicaOf(int masterPort) throws IOException {
        return start(List.of("--replicaof", "127.0.0.1", Integer.toString(masterPort)), false);
    }

    /**
     * A sentinel (the same binary, in sentinel mode, as Debian's redis-sentinel runs it) watching the
     * master on {@code masterPort} as {@code name} with quorum 2, quick to call it down (500 ms) and to
     * fail over, its configuration file in {@code directory}.
     */
    public static RedisServer startSentinel(Path directory, int masterPort, String name) throws IOException {
        Path binary = locate();
        return launchOnFreePort(port -> {
            Path config = directory.resolve("sentinel-" + port + ".conf");
            Files.writeString(config, String.join("\n",
                    "port " + port,
                    "bind 127.0.0.1",
                    "protected-mode no",
                    "sentinel monitor " + name + " 127.0.0.1 " + masterPort + " 2",
                    "sentinel down-after-milliseconds " + name + " 500",
                    "sentinel failover-timeout " + name + " 3000",
                    "sentinel parallel-syncs " + name + " 1",
                    ""));
            return new RedisServer(binary, port, List.of(), false, config);
        });
    }

    /** A server made for a free port and started, tried again on another port if one was taken meanwhile. */
    private static RedisServer launchOnFreePort(ServerOnPort make) throws IOException {
        for (int attempt = 0; ; attempt++) {
            RedisServer server = make.on(UnusedPorts.next());
            try {
                server.launch();
                return server;
            } catch (IOException e) {
                // Another process may have taken the port between probing and binding; try another.
                if (attempt == 4) {
                    throw e;
                }
            }
        }
    }

    @FunctionalInterface
    private interface ServerOnPort {
        RedisServer on(int port) throws IOException;
    }

    public static RedisServer start() throws IOException {
        return start(List.of(), false);
    }

    /**
     * A server speaking only TLS on its port, with {@code certificate} and {@code key} (PEM files),
     * and {@code extra} configuration (ACL users: {@code --user name on >password ~* &* +@all}).
     */
    public static RedisServer startTls(Path certificate, Path key, Path authority, List<String> extra)
            throws IOException {
        List<String> arguments = new ArrayList<>(List.of("--tls-cert-file", certificate.toString(),
                "--tls-key-file", key.toString(), "--tls-ca-cert-file", authority.toString(),
                "--tls-auth-clients", "no"));
        arguments.addAll(extra);
        return start(arguments, true);
    }

    private static RedisServer start(List<String> extra, boolean tls) throws IOException {
        Path binary = locate();
        return launchOnFreePort(port -> new RedisServer(binary, port, extra, tls, null));
    }

    public int port() {
        return port;
    }

    public String uri() {
        return (tls ? "rediss" : "redis") + "://127.0.0.1:" + port;
    }

    /** Kills the server at once, as a crash would. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    /** Stops the process with SIGSTOP: connections stay open and nothing answers, as a Redis stuck on disk would. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** Lets a paused server run again (SIGCONT). */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** Starts it again on the same port, empty. */
    public void restart() throws IOException {
        launch();
    }

    @Override
    public void close() {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void launch() throws IOException {
        List<String> command = new ArrayList<>();
        if (sentinelConfig != null) {
            command.addAll(List.of(binary.toString(), sentinelConfig.toString(), "--sentinel"));
        } else {
            command.addAll(List.of(binary.toString(), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--protected-mode", "no", "--daemonize", "no"));
            command.addAll(tls ? List.of("--port", "0", "--tls-port", Integer.toString(port))
                    : List.of("--port", Integer.toString(port)));
        }
        command.addAll(extra);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with status " + process.exitValue() + " on port " + port);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
        process.destroyForcibly();
        throw new IOException("redis-server did not accept connections on port " + port + " within 10 s");
    }

    private static Path locate() {
        for (String candidate : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path path = Path.of(dir, "redis-server");
            if (Files.isExecutable(path)) {
                return path;
            }
        }
        throw new IllegalStateException("redis-server is not installed, and the Redis tests need a real one: "
                + "run 'apt-get install -y redis-server' (.ci/run does this)");
    }
}
