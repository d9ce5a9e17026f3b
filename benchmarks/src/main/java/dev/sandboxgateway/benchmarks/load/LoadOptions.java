package dev.sandboxgateway.benchmarks.load;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What one load run does, from the command line.
 *
 * @param target      where connections go (scheme, host and port; the path is the request path)
 * @param hosts       Host header values, rotated over requests
 * @param passes      how many times each host is asked before the run stops; 0: until the duration ends
 * @param primeHosts  hosts of an unmeasured run first, in this process (empty: none)
 * @param primeDuration how long that run lasts
 * @param mode        keep-alive, a new connection per request, or WebSocket echo
 * @param connections concurrent connections
 * @param rate        requests per second in total for an open loop; 0 for a closed loop
 * @param duration    measured time
 * @param warmup      unmeasured time before it
 * @param method      GET or POST
 * @param bodySize    request body bytes (POST) or WebSocket message bytes
 * @param json        print the result as JSON instead of a table
 * @param threads     client event loops
 * @param label       a name for this run in the output
 */
record LoadOptions(URI target, List<String> hosts, Mode mode, int connections, double rate, Duration duration,
                   Duration warmup, String method, int bodySize, boolean json, int threads, String label,
                   int passes, List<String> primeHosts, Duration primeDuration) {

    enum Mode { KEEPALIVE, CLOSE, WEBSOCKET }

    static final String USAGE = """
            Usage: java -jar loadgen.jar --url URL [options]

            A load generator for HTTP gateways in front of many sandboxes: rotates the Host header over
            sandbox hosts (requests take them in turn, one sequence for all connections, so each
            pass names every host once), measures latency with HdrHistogram, and in open-loop mode
            measures from the intended send time, so a stalling server cannot hide its tail (no
            coordinated omission).

            Target and hosts:
              --url URL              where to connect, and the request path (http://127.0.0.1:8080/64b);
                                     https:// and wss:// speak TLS (SNI = the Host, certificates not
                                     verified, no session reuse: --mode close measures full handshakes)
              --hosts FILE           Host values, one per line, or a registry file (sandboxes.yaml/.json)
                                     whose ids are turned into hosts with --host-template
              --generate N           use N generated sandbox ids sb0..sb{N-1} instead of a file
              --host-template T      host for an id: {id} and {port} replaced
                                     (default {port}-{id}.localhost)
              --sandbox-port P       the {port} in the template (default 80)
            Load shape:
              --mode M               keepalive (default), close (new connection per request), websocket
              --connections N        concurrent connections (default 64)
              --rate R               open loop: R requests (or messages) per second in total;
                                     without it, a closed loop: each connection as fast as it can
              --duration D           measured time, e.g. 10s (default 10s)
              --passes P             stop after P passes over the hosts (each host asked P times),
                                     or at --duration, whichever comes first; e.g. --passes 1 asks
                                     every sandbox once, as the first requests of a load test do
                                     (no warm-up then: every request of the passes is measured)
              --prime FILE           first, unmeasured, a run of --prime-duration over these hosts:
                                     warms this client's JIT (and the server) without touching the
                                     measured hosts, e.g. before a --passes run over cold ones
              --prime-duration D     how long the --prime run lasts (default 10s)
              --warmup D             unmeasured time first (default 2s)
              --method M             GET (default) or POST
              --body-size B          POST body bytes, or WebSocket message bytes (default 0 / 64)
              --threads T            client event loops (default 1)
            Output:
              --json                 one JSON object instead of the human-readable table
              --label L              a name for this run, printed with its results
              -h, --help             this text
            """;

    static LoadOptions parse(String[] args) {
        URI target = null;
        String hostsFile = null;
        int generate = 0;
        String template = "{port}-{id}.localhost";
        int sandboxPort = 80;
        Mode mode = Mode.KEEPALIVE;
        int connections = 64;
        double rate = 0;
        Duration duration = Duration.ofSeconds(10);
        Duration warmup = Duration.ofSeconds(2);
        String method = "GET";
        Integer bodySize = null;
        boolean json = false;
        int threads = 1;
        String label = "";
        int passes = 0;
        String primeFile = null;
        Duration primeDuration = Duration.ofSeconds(10);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--url" -> target = URI.create(value(args, ++i, arg));
                case "--hosts" -> hostsFile = value(args, ++i, arg);
                case "--generate" -> generate = Integer.parseInt(value(args, ++i, arg));
                case "--host-template" -> template = value(args, ++i, arg);
                case "--sandbox-port" -> sandboxPort = Integer.parseInt(value(args, ++i, arg));
                case "--mode" -> mode = Mode.valueOf(value(args, ++i, arg).toUpperCase());
                case "--connections" -> connections = Integer.parseInt(value(args, ++i, arg));
                case "--rate" -> rate = Double.parseDouble(value(args, ++i, arg));
                case "--duration" -> duration = duration(value(args, ++i, arg));
                case "--warmup" -> warmup = duration(value(args, ++i, arg));
                case "--method" -> method = value(args, ++i, arg).toUpperCase();
                case "--body-size" -> bodySize = Integer.parseInt(value(args, ++i, arg));
                case "--threads" -> threads = Integer.parseInt(value(args, ++i, arg));
                case "--json" -> json = true;
                case "--label" -> label = value(args, ++i, arg);
                case "--passes" -> passes = Integer.parseInt(value(args, ++i, arg));
                case "--prime" -> primeFile = value(args, ++i, arg);
                case "--prime-duration" -> primeDuration = duration(value(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        if (target == null || target.getHost() == null || target.getPort() < 0) {
            throw new IllegalArgumentException("--url with a host and port is required, e.g. http://127.0.0.1:8080/");
        }
        if (connections < 1 || threads < 1 || rate < 0 || passes < 0) {
            throw new IllegalArgumentException(
                    "--connections and --threads must be at least 1, --rate and --passes at least 0");
        }
        if (passes > 0 && mode != Mode.KEEPALIVE) {
            throw new IllegalArgumentException("--passes works with the keepalive mode");
        }
        List<String> hosts;
        if (generate > 0) {
            hosts = new ArrayList<>();
            for (int i = 0; i < generate; i++) {
                hosts.add(template.replace("{id}", "sb" + i).replace("{port}", Integer.toString(sandboxPort)));
            }
        } else if (hostsFile != null) {
            hosts = HostList.read(hostsFile, template, sandboxPort);
        } else {
            hosts = List.of(target.getHost() + ":" + target.getPort());
        }
        if (passes > 0) {
            warmup = Duration.ZERO;
        }
        int size = bodySize != null ? bodySize : mode == Mode.WEBSOCKET ? 64 : 0;
        List<String> primeHosts = primeFile == null ? List.of() : HostList.read(primeFile, template, sandboxPort);
        return new LoadOptions(target, hosts, mode, connections, rate, duration, warmup, method, size, json, threads,
                label, passes, primeHosts, primeDuration);
    }

    /** The unmeasured run --prime asks for: the same load over the priming hosts, for its duration. */
    LoadOptions priming() {
        return new LoadOptions(target, primeHosts, mode, connections, rate, primeDuration, Duration.ZERO, method,
                bodySize, json, threads, label + " (priming)", 0, List.of(), Duration.ZERO);
    }

    String path() {
        String path = target.getRawPath();
        String query = target.getRawQuery();
        return (path == null || path.isEmpty() ? "/" : path) + (query == null ? "" : "?" + query);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    static Duration duration(String text) {
        String t = text.trim().toLowerCase();
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        if (t.endsWith("s")) {
            return Duration.ofMillis((long) (Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
        }
        if (t.endsWith("m")) {
            return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
        }
        throw new IllegalArgumentException("'" + text + "' is not a duration like 500ms, 10s or 2m");
    }
}
