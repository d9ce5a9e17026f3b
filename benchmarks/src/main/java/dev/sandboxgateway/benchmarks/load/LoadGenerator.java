package dev.sandboxgateway.benchmarks.load;

/** The load generator's command line: {@code java -jar loadgen.jar --help}. */
public final class LoadGenerator {

    private LoadGenerator() {
    }

    public static void main(String[] args) throws InterruptedException, javax.net.ssl.SSLException {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            System.out.print(LoadOptions.USAGE);
            return;
        }
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "\n\n" + LoadOptions.USAGE);
            System.exit(64);
            return;
        }
        System.err.println("command: java -jar loadgen.jar " + String.join(" ", args));
        if (!options.primeHosts().isEmpty()) {
            new LoadRun(options.priming()).execute(System.err);
        }
        Report report = new LoadRun(options).execute(System.err);
        System.out.println(options.json() ? report.toJson() : report.toTable());
    }
}
