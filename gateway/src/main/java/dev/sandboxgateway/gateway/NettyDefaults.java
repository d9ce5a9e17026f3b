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

    /**
     * Netty's default leak detection wraps every buffer in a tracking buffer and records a stack
     * trace for one in 128: measured at about 10% of the CPU of a connection-per-request request
     * and 1-4% of a keep-alive one. The gateway runs without it; every test runs at {@code paranoid}
     * and fails on a leak, and {@code netty_allocator_memory_used} shows one in production.
     */
    static final String LEAK_DETECTION_LEVEL = "io.netty.leakDetection.level";

    /** The name Netty read before 4.1, which it still honours. */
    static final String LEAK_DETECTION_LEVEL_LEGACY = "io.netty.leakDetectionLevel";

    /**
     * Off, so io_uring sockets read through the buffer ring one buffer at a time: Netty's multishot
     * receive keeps reading after a channel's reads are stopped, and backpressure would not hold
     * (NettyTransport.readsThroughBufferRing says what it cost).
     */
    static final String IO_URING_RECV_MULTISHOT = "io.netty.iouring.recvMultiShotEnabled";

    private NettyDefaults() {
    }

    static void apply(Properties system) {
        if (system.getProperty(ALLOCATOR_LOW_MEMORY) == null) {
            system.setProperty(ALLOCATOR_LOW_MEMORY, "false");
        }
        if (system.getProperty(LEAK_DETECTION_LEVEL) == null && system.getProperty(LEAK_DETECTION_LEVEL_LEGACY) == null) {
            system.setProperty(LEAK_DETECTION_LEVEL, "disabled");
        }
        if (system.getProperty(IO_URING_RECV_MULTISHOT) == null) {
            system.setProperty(IO_URING_RECV_MULTISHOT, "false");
        }
    }
}
