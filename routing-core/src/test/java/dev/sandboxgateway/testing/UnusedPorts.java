package dev.sandboxgateway.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for a server a test starts later (a Redis, a dev server, a port that is still
 * starting) or never (a port that refuses). Binding port 0 and releasing it is not enough for
 * those: the released port is back in the kernel's ephemeral range, where any later bind to port 0
 * (the gateway's own listener, another backend) or outgoing connect may take it before the test
 * uses it, and a "closed" port then answers, or the gateway dials itself. So the port is drawn at
 * random from outside that range (as Selenium's PortProber does), checked free by binding it, and
 * never handed out twice in one JVM.
 */
public final class UnusedPorts {

    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    /** Below this are the well-known and registered services a machine may run. */
    private static final int LOWEST = 10_000;
    private static final int HIGHEST = 65_535;
    /** Too few ports outside the ephemeral range to draw from at random without collisions. */
    private static final int FEWEST = 1_000;
    private static final int ATTEMPTS = 200;

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private UnusedPorts() {
    }

    /** A loopback port nothing listens on now and nothing but the caller will bind. */
    public static int next() throws IOException {
        int[] range = outsideEphemeralRange();
        if (range.length == 0) {
            return releasedEphemeralPort();
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(range[0], range[1] + 1);
            if (!HANDED_OUT.contains(port) && bindable(port) && HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IOException("no free loopback port in " + range[0] + "-" + range[1] + " after " + ATTEMPTS
                + " attempts");
    }

    /**
     * The larger of the spans below and above the kernel's ephemeral range, as {@code {first, last}};
     * empty where there is no such range to read (not Linux) or both spans are too small.
     */
    private static int[] outsideEphemeralRange() throws IOException {
        if (!Files.isReadable(EPHEMERAL_RANGE)) {
            return new int[0];
        }
        // readString would stop after the first byte: procfs reports a size of 0.
        String[] bounds = Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+");
        int low = Integer.parseInt(bounds[0]);
        int high = Integer.parseInt(bounds[1]);
        int below = low - LOWEST;
        int above = HIGHEST - high;
        if (Math.max(below, above) < FEWEST) {
            return new int[0];
        }
        return below >= above ? new int[] {LOWEST, low - 1} : new int[] {high + 1, HIGHEST};
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    /** Where the range cannot be avoided: a port the kernel just gave and took back, racy as described above. */
    private static int releasedEphemeralPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
