package dev.sandboxgateway.gateway;

import dev.sandboxgateway.config.ConfigException;
import dev.sandboxgateway.config.ConfigLoader;
import dev.sandboxgateway.config.GatewayConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;

/** The command line: {@code sandbox-gateway [--config FILE] [run|validate|print-config]}. */
public final class Main {

    static final String USAGE = """
            Usage: java -jar sandbox-gateway.jar [--config FILE] [COMMAND]

            A reverse proxy for code sandboxes: https://{port}-{sandboxId}-{suffix}.{baseDomain}/
            reaches port {port} of sandbox {sandboxId} at the backend address its registry holds.

            Commands:
              run            start the gateway (the default)
              validate       check the configuration, the registry and the TLS certificates,
                             then exit (exit status 0 when all are usable, 2 otherwise)
              print-config   print the effective configuration (defaults, file and
                             environment merged) as YAML, secrets redacted, then exit

            Options:
              -c, --config FILE  YAML or JSON configuration file; without it the built-in
                                 defaults apply (file registry ./sandboxes.yaml, edge on
                                 :8080, admin on 127.0.0.1:9090, base domain localhost)
              -h, --help         show this help and exit
              -V, --version      print the version and exit

            Every setting can also be overridden by an environment variable named after its
            key, e.g. server.port -> GATEWAY_SERVER_PORT, backend.pool.idleTimeout ->
            GATEWAY_BACKEND_POOL_IDLE_TIMEOUT. See README.md for every key and its default.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        NettyDefaults.apply(System.getProperties());
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
        Path configFile = null;
        List<String> commands = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "-V", "--version" -> {
                    out.println("sandbox-gateway " + version());
                    return 0;
                }
                case "-c", "--config" -> {
                    if (i + 1 >= args.length) {
                        err.println("--config needs a file name\n\n" + USAGE);
                        return 64;
                    }
                    configFile = Path.of(args[++i]);
                }
                default -> {
                    if (args[i].startsWith("--config=")) {
                        configFile = Path.of(args[i].substring("--config=".length()));
                    } else if (args[i].startsWith("-")) {
                        err.println("unknown option " + args[i] + "\n\n" + USAGE);
                        return 64;
                    } else {
                        commands.add(args[i]);
                    }
                }
            }
        }
        if (commands.size() > 1) {
            err.println("only one command may be given, got " + commands + "\n\n" + USAGE);
            return 64;
        }
        String command = commands.isEmpty() ? "run" : commands.get(0);
        ConfigLoader loader = new ConfigLoader();
        GatewayConfig config;
        try {
            config = loader.load(configFile, environment);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 2;
        }
        return switch (command) {
            case "validate" -> validate(config, configFile, out, err);
            case "print-config" -> {
                out.print(loader.toYaml(config));
                yield 0;
            }
            case "run" -> serve(config, err);
            default -> {
                err.println("unknown command '" + command + "'\n\n" + USAGE);
                yield 64;
            }
        };
    }

    private static int validate(GatewayConfig config, @Nullable Path configFile, PrintStream out, PrintStream err) {
        try {
            Gateway.openRegistry(config.registry()).close();
            Gateway.hostParser(config.routing());
            if (config.tls().enabled()) {
                Gateway.loadCertificates(config.tls(), config.http2().enabled()).close();
            }
        } catch (StartupException | IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        out.println((configFile == null ? "built-in defaults" : configFile.toString()) + ": configuration is valid");
        return 0;
    }

    private static int serve(GatewayConfig config, PrintStream err) {
        Gateway gateway;
        try {
            gateway = Gateway.start(config);
        } catch (StartupException e) {
            err.println("cannot start: " + e.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        // Any other way out of the JVM (System.exit, SIGHUP) still drains; shutdown runs only once.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> gateway.shutdown(config.shutdown().drainTimeout()),
                "shutdown"));
        CountDownLatch stopRequested = new CountDownLatch(1);
        StopSignals.install(stopRequested::countDown);
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        gateway.shutdown(config.shutdown().drainTimeout());
        return 0;
    }

    static String version() {
        try (InputStream in = Main.class.getResourceAsStream("/gateway-version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
