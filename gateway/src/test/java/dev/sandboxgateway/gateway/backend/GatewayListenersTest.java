package dev.sandboxgateway.gateway.backend;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class GatewayListenersTest {

    private static InetSocketAddress at(String address, int port) {
        return new InetSocketAddress(address, port);
    }

    private static GatewayListeners listeningOn(InetSocketAddress... addresses) {
        GatewayListeners listeners = new GatewayListeners();
        for (InetSocketAddress address : addresses) {
            listeners.add(address);
        }
        return listeners;
    }

    @Test
    void aListenerOnOneAddressIsReachedOnlyThere() {
        GatewayListeners listeners = listeningOn(at("127.0.0.1", 8080), at("127.0.0.1", 9090));
        InetSocketAddress local = at("127.0.0.1", 40000);
        assertTrue(listeners.reachedBy(local, at("127.0.0.1", 8080)));
        assertTrue(listeners.reachedBy(local, at("127.0.0.1", 9090)), "the admin listener too");
        assertFalse(listeners.reachedBy(local, at("127.0.0.1", 8081)), "another port");
        assertFalse(listeners.reachedBy(at("127.0.0.2", 40000), at("127.0.0.2", 8080)),
                "another loopback address: another server may listen there");
    }

    @Test
    void aListenerOnEveryAddressIsReachedThroughAnyAddressOfThisHost() {
        GatewayListeners listeners = listeningOn(at("0.0.0.0", 8080));
        assertTrue(listeners.reachedBy(at("127.0.0.1", 40000), at("127.0.0.5", 8080)), "any loopback address");
        assertTrue(listeners.reachedBy(at("10.0.0.5", 40000), at("10.0.0.5", 8080)),
                "the host's own address, which the kernel connects from");
        assertFalse(listeners.reachedBy(at("10.0.0.5", 40000), at("10.0.0.6", 8080)), "another host");
        assertFalse(listeners.reachedBy(at("::1", 40000), at("::1", 8080)), "0.0.0.0 takes no IPv6");
        assertFalse(listeners.reachedBy(at("10.0.0.5", 40000), at("10.0.0.5", 8081)), "another port");
    }

    @Test
    void theIpv6WildcardTakesBothFamilies() {
        GatewayListeners listeners = listeningOn(at("::", 8443));
        assertTrue(listeners.reachedBy(at("::1", 40000), at("::1", 8443)));
        assertTrue(listeners.reachedBy(at("127.0.0.1", 40000), at("127.0.0.1", 8443)));
        assertFalse(listeners.reachedBy(at("fd00::1", 40000), at("fd00::2", 8443)));
    }

    @Test
    void noListenerYetIsNeverReached() {
        assertFalse(new GatewayListeners().reachedBy(at("127.0.0.1", 40000), at("127.0.0.1", 8080)));
    }
}
