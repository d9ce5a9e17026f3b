package dev.sandboxgateway.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Which Netty transport carries traffic. */
public enum Transport {
    /** io_uring with buffer rings where the kernel has them, else epoll where available, else NIO. */
    AUTO,
    EPOLL,
    IO_URING,
    NIO;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Transport fromWireName(String name) {
        return Enums.byWireName(Transport.class, name, Transport::wireName);
    }
}
