package dev.sandboxgateway.gateway.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sandboxgateway.config.Transport;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;

/** Skips a test of a native transport this machine cannot load (kernel, seccomp); both load on the Debian 12 machines here. */
public final class NativeTransports {

    private NativeTransports() {
    }

    public static void assumeAvailable(Transport kind) {
        if (kind == Transport.EPOLL) {
            assumeTrue(Epoll.isAvailable(), () -> "epoll: " + Epoll.unavailabilityCause());
        } else if (kind == Transport.IO_URING) {
            assumeTrue(IoUring.isAvailable(), () -> "io_uring: " + IoUring.unavailabilityCause());
        }
    }
}
