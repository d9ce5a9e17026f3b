package dev.sandboxgateway.gateway.edge;

import io.netty.channel.Channel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client connections currently addressing each sandbox, so that one sandbox's visitors
 * cannot take every connection the gateway has. A connection counts for the sandbox of its
 * latest request.
 */
final class SandboxConnections {

    private final ConcurrentHashMap<String, Set<Channel>> bySandbox = new ConcurrentHashMap<>();
    private final int maxPerSandbox;

    /** @param maxPerSandbox most connections per sandbox; 0 for no limit */
    SandboxConnections(int maxPerSandbox) {
        this.maxPerSandbox = maxPerSandbox;
    }

    /**
     * Counts {@code channel} for {@code sandboxId} until it closes or is removed; false, and not
     * counted, when the sandbox is at its limit.
     */
    boolean add(String sandboxId, Channel channel) {
        boolean[] added = {true};
        bySandbox.compute(sandboxId, (id, channels) -> {
            Set<Channel> set = channels == null ? ConcurrentHashMap.newKeySet() : channels;
            if (maxPerSandbox > 0 && set.size() >= maxPerSandbox) {
                added[0] = false;
            } else {
                set.add(channel);
            }
            return set.isEmpty() ? null : set;
        });
        if (added[0]) {
            // Also after the connection became a WebSocket tunnel, when no HTTP handler sees it close.
            channel.closeFuture().addListener(f -> remove(sandboxId, channel));
        }
        return added[0];
    }

    void remove(String sandboxId, Channel channel) {
        bySandbox.computeIfPresent(sandboxId, (id, channels) -> {
            channels.remove(channel);
            return channels.isEmpty() ? null : channels;
        });
    }

    int count(String sandboxId) {
        Set<Channel> channels = bySandbox.get(sandboxId);
        return channels == null ? 0 : channels.size();
    }
}
