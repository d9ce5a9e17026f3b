package dev.sandboxgateway.gateway.backend;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The addresses this gateway listens on: edge, TLS, admin, ops. A sandbox record whose
 * {@code backendHost} is the gateway's own host would otherwise let a client reach the admin API
 * through the edge, or make the gateway dial itself and nest connections up to the pool's limit;
 * a backend connection that reached one of these is refused instead ({@code backend_is_gateway}).
 * Filled as each listener binds, before the first request; read once per new backend connection.
 */
public final class GatewayListeners {

    private final List<InetSocketAddress> bound = new CopyOnWriteArrayList<>();

    /** A listener now bound, as its channel reports it (the real port when configured as 0). */
    public void add(InetSocketAddress listener) {
        bound.add(listener);
    }

    /**
     * Whether a connection from {@code local} to {@code remote} reached one of the listeners: the
     * listener's own address, or for a listener on every address, any address of this host. The
     * kernel connects to an address of its own from that same address, and to a loopback address
     * from loopback, so those two tell a connection to this host without listing its interfaces.
     */
    public boolean reachedBy(InetSocketAddress local, InetSocketAddress remote) {
        for (InetSocketAddress listener : bound) {
            if (listener.getPort() == remote.getPort() && reaches(listener.getAddress(), local.getAddress(),
                    remote.getAddress())) {
                return true;
            }
        }
        return false;
    }

    private static boolean reaches(InetAddress listener, InetAddress local, InetAddress remote) {
        if (!listener.isAnyLocalAddress()) {
            return listener.equals(remote);
        }
        // 0.0.0.0 takes IPv4 only; :: takes both (dual stack).
        boolean family = !(listener instanceof Inet4Address) || remote instanceof Inet4Address;
        return family && (remote.isLoopbackAddress() || remote.equals(local));
    }
}
