package dev.sandboxgateway.gateway;

import java.util.Properties;

/**
 * Netty settings where a gateway needs other defaults than Netty picks, set before any Netty class
 * reads them. A value the operator passed with {@code -D} is left as it is.
 */
final class NettyDefaults {

    /**
     * Netty's allocator treats a JVM with at most 512 MiB of heap as short of memory and then stops
     * pooling buffers above 16 KiB: every 64 KiB socket read of a large body gets a fresh, zeroed,
     * cleaner-tracked direct buffer. Relay buffers are direct memory, which the heap size says
     * nothing about, so the gateway keeps pooling them whatever {@code -Xmx} is.
     */
    static final String ALLOCATOR_LOW_MEMORY = "io.netty.allocator.lowMemory";

    private NettyDefaults() {
    }

    static void apply(Properties system) {
        if (system.getProperty(ALLOCATOR_LOW_MEMORY) == null) {
            system.setProperty(ALLOCATOR_LOW_MEMORY, "false");
        }
    }
}
