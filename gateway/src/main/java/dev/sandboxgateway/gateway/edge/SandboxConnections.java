package dev.sandboxgateway.gateway.edge;

import dev.sandboxgateway.routing.SandboxRecord;
import dev.sandboxgateway.routing.SandboxState;
import io.netty.channel.Channel;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client connections currently addressing each sandbox, WebSocket tunnels included, with the
 * record they were admitted under. It limits how many connections one sandbox may take, and lets
 * a registry change close exactly the connections it invalidates. A connection counts for the
 * sandbox of its latest request.
 */
final class SandboxConnections {

    /** Fired down a client pipeline whose sandbox was removed, stopped or changed under it. */
    static final Object SANDBOX_CHANGED = new Object() {
        @Override
        public String toString() {
            return "SANDBOX_CHANGED";
        }
    };

    /** The connections of one sandbox and the latest record any of them was admitted under. */
    private static final class Admitted {
        final Set<Channel> channels = ConcurrentHashMap.newKeySet();
        volatile SandboxRecord record;
    }

    private final ConcurrentHashMap<String, Admitted> bySandbox = new ConcurrentHashMap<>();
    private final int maxPerSandbox;

    /** @param maxPerSandbox most connections per sandbox; 0 for no limit */
    SandboxConnections(int maxPerSandbox) {
        this.maxPerSandbox = maxPerSandbox;
    }

    /**
     * Counts {@code channel} for the sandbox of {@code record} until {@link #remove} (the caller
     * removes it when it closes); false, and not counted, when the sandbox is at its limit.
     */
    boolean add(SandboxRecord record, Channel channel) {
        boolean[] added = {true};
        bySandbox.compute(record.id(), (id, admitted) -> {
            Admitted entry = admitted == null ? new Admitted() : admitted;
            if (maxPerSandbox > 0 && entry.channels.size() >= maxPerSandbox) {
                added[0] = false;
            } else {
                entry.channels.add(channel);
                entry.record = record;
            }
            return entry.channels.isEmpty() ? null : entry;
        });
        return added[0];
    }

    void remove(String sandboxId, Channel channel) {
        bySandbox.computeIfPresent(sandboxId, (id, admitted) -> {
            admitted.channels.remove(channel);
            return admitted.channels.isEmpty() ? null : admitted;
        });
    }

    int count(String sandboxId) {
        Admitted admitted = bySandbox.get(sandboxId);
        return admitted == null ? 0 : admitted.channels.size();
    }

    /** The sandbox is gone: every connection to it is asked to finish. */
    void sandboxRemoved(String sandboxId) {
        Admitted admitted = bySandbox.get(sandboxId);
        if (admitted != null) {
            close(admitted);
        }
    }

    /**
     * The sandbox's record changed. Connections admitted under a record that no longer holds (not
     * running, another address, another suffix, token, port or client rule) are asked to finish;
     * other changes (labels, body limit) leave them alone.
     */
    void sandboxUpdated(SandboxRecord record) {
        Admitted admitted = bySandbox.get(record.id());
        if (admitted == null) {
            return;
        }
        SandboxRecord before = admitted.record;
        if (before == null || invalidates(before, record)) {
            close(admitted);
        } else {
            admitted.record = record;
        }
    }

    private static boolean invalidates(SandboxRecord before, SandboxRecord after) {
        return after.state() != SandboxState.RUNNING
                || !before.backendHost().equals(after.backendHost())
                || !Objects.equals(before.suffix(), after.suffix())
                || !Objects.equals(before.accessToken(), after.accessToken())
                || !before.allowedPorts().equals(after.allowedPorts())
                || !before.allowedClients().equals(after.allowedClients());
    }

    private static void close(Admitted admitted) {
        for (Channel channel : admitted.channels) {
            // Runs on the channel's own event loop.
            channel.pipeline().fireUserEventTriggered(SANDBOX_CHANGED);
        }
    }
}
