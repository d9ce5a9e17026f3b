package dev.sandboxgateway.gateway;

import dev.sandboxgateway.config.ConfigException;
import dev.sandboxgateway.config.ConfigLoader;
import dev.sandboxgateway.config.ConfigSource;
import dev.sandboxgateway.config.GatewayConfig;
import dev.sandboxgateway.routing.registry.SandboxRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/** The command line: {@code sandbox-gateway [--config FILE] [run|validate|print-config]}. */
public final class Main {

    static final String USAGE = """
            Usage: java -jar sandbox-gateway.jar [--config FILE] [COMMAND]

            A reverse proxy for code sandboxes: https://{port}-{sandboxId}-{suffix}.{baseDomain}/
            reaches port {port} of sandbox {sandboxId} at the backend address its registry holds.

            Commands:
              run            start the gateway (the default)
              validate       check the configuration, the TLS certificates and that the
                             registry answers, then exit (exit status 0 when all are
                             usable, 2 otherwise)
              print-config   print the effective configuration (defaults, file and
                             environment merged) as YAML, secrets redacted, then exit

            Options:
              -c, --config FILE  YAML or JSON configuration file; without it the built-in
                                 defaults apply (file registry ./sandboxes.yaml, edge on
                                 :8080, admin on 127.0.0.1:9090, base domain localhost)
              --skip-registry    validate without contacting the registry (a build step
                                 or a machine that cannot reach it); says so
              -h, --help         show this help and exit
              -V, --version      print the version and exit

            Every setting can also be overridden by an environment variable named after its
            key, e.g. server.port -> GATEWAY_SERVER_PORT, backend.pool.idleTimeout ->
            GATEWAY_BACKEND_POOL_IDLE_TIMEOUT. See docs/configuration.md for every key.

            Signals: SIGTERM and SIGINT drain and stop; SIGHUP reloads the configuration
            file (settings that need a restart are refused, naming the key).
            """;

    /** How long {@code validate} waits for the registry's answer. */
    private static final int REGISTRY_CHECK_SECONDS = 10;
    private static final String REGISTRY_PROBE_ID = "sandbox-gateway-validate";

    private Main() {
    }

    public static void main(String[] args) {
        NettyDefaults.apply(System.getProperties());
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
        Path configFile = null;
        boolean skipRegistry = false;
        List<String> commands = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "-V", "--version" -> {
                    out.println("sandbox-gateway " + BuildVersion.current());
                    return 0;
                }
                case "--skip-registry" -> skipRegistry = true;
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
        ConfigSource source = ConfigSource.of(configFile, environment);
        GatewayConfig config;
        try {
            config = source.load();
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 2;
        }
        return switch (command) {
            case "validate" -> validate(config, configFile, skipRegistry, out, err);
            case "print-config" -> {
                out.print(new ConfigLoader().toYaml(config));
                yield 0;
            }
            case "run" -> serve(source, config, err);
            default -> {
                err.println("unknown command '" + command + "'\n\n" + USAGE);
                yield 64;
            }
        };
    }

    private static int validate(GatewayConfig config, @Nullable Path configFile, boolean skipRegistry,
                                PrintStream out, PrintStream err) {
        try {
            if (skipRegistry) {
                out.println("registry: not checked (--skip-registry)");
            } else {
                checkRegistry(config.registry());
            }
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

    /**
     * Opens the registry as {@code run} would and looks up one sandbox id that no platform uses (one
     * key read, one control-plane request; "not found" is a good answer), so an unreachable Redis or
     * control plane, a wrong password or an unreadable file fails here.
     */
    private static void checkRegistry(GatewayConfig.Registry settings) throws StartupException {
        try (SandboxRegistry registry = Gateway.openRegistry(settings)) {
            registry.lookup(REGISTRY_PROBE_ID).get(REGISTRY_CHECK_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new StartupException("registry." + settings.type().wireName() + ": cannot be reached: "
                    + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new StartupException("registry." + settings.type().wireName() + ": no answer within "
                    + REGISTRY_CHECK_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while checking the registry", e);
        }
    }

    private static int serve(ConfigSource source, GatewayConfig config, PrintStream err) {
        String logProblem = LogSetup.apply(config.logging().format());
        if (logProblem != null) {
            err.println(logProblem);
            return 2;
        }
        // Signals are taken before the listeners open: a SIGTERM that comes as soon as the gateway says it
        // listens must still drain and exit 0, and a SIGHUP then must not end it. A SIGHUP before the
        // gateway runs has nothing to reload: the configuration it starts with is already the file's.
        CountDownLatch stopRequested = new CountDownLatch(1);
        AtomicReference<Gateway> running = new AtomicReference<>();
        ProcessSignals.install(stopRequested::countDown, () -> {
            Gateway started = running.get();
            if (started != null) {
                started.reload();
            }
        });
        Gateway gateway;
        try {
            gateway = Gateway.start(source, config);
        } catch (StartupException e) {
            err.println("cannot start: " + e.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        running.set(gateway);
        // Any other way out of the JVM (System.exit, a signal the JVM kept) still drains; shutdown runs only once.
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::shutdown, "shutdown"));
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        gateway.shutdown();
        return 0;
    }
}
