package dev.sandboxgateway.gateway.edge;

import dev.sandboxgateway.gateway.relay.ConnectionEvent;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.registry.SandboxState;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The client connections currently addressing each sandbox, WebSocket tunnels included, with the
 * record they were admitted under. It limits how many connections one sandbox may take, and lets
 * a registry change close exactly the connections it invalidates. A connection counts for the
 * sandbox of its latest request.
 *
 * <p>Each event loop keeps its own index of its own connections, touched only on that loop: a
 * keep-alive connection whose requests address different sandboxes moves on every request, and
 * that must not cost a concurrent map update. Registry changes, rare by comparison, are handed to
 * every loop. Counts across loops are kept only when {@code maxPerSandbox} limits them.
 */
final class SandboxConnections {

    private final int maxPerSandbox;
    private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<EventLoop, LoopIndex> loops = new ConcurrentHashMap<>();

    /** @param maxPerSandbox most connections per sandbox; 0 for no limit */
    SandboxConnections(int maxPerSandbox) {
        this.maxPerSandbox = maxPerSandbox;
    }

    /** The place of {@code channel} (a connection or HTTP/2 stream) in its loop's index; not yet counted for any sandbox. */
    Member member(Channel channel) {
        EventLoop loop = channel.eventLoop();
        LoopIndex index = loops.get(loop);
        if (index == null) {
            index = loops.computeIfAbsent(loop, LoopIndex::new);
        }
        return new Member(channel, index);
    }

    /** The sandbox is gone: every connection to it is asked to finish. */
    void sandboxRemoved(String sandboxId) {
        for (LoopIndex index : loops.values()) {
            index.loop.execute(() -> index.removed(sandboxId));
        }
    }

    /**
     * The sandbox's record changed. Connections admitted under a record that no longer holds (not
     * running, another address, another suffix, token, port or client rule) are asked to finish;
     * other changes (labels, body limit) leave them alone.
     */
    void sandboxUpdated(SandboxRecord record) {
        for (LoopIndex index : loops.values()) {
            index.loop.execute(() -> index.updated(record));
        }
    }

    private boolean reserve(String sandboxId) {
        if (maxPerSandbox == 0) {
            return true;
        }
        boolean[] reserved = {false};
        counts.compute(sandboxId, (id, count) -> {
            int current = count == null ? 0 : count;
            if (current >= maxPerSandbox) {
                return count;
            }
            reserved[0] = true;
            return current + 1;
        });
        return reserved[0];
    }

    private void release(String sandboxId) {
        if (maxPerSandbox > 0) {
            counts.computeIfPresent(sandboxId, (id, count) -> count == 1 ? null : count - 1);
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

    /** One connection's membership; used only on the connection's event loop. */
    final class Member {

        private final Channel channel;
        private final LoopIndex index;
        private @Nullable Admitted sandbox;
        private @Nullable Member previous;
        private @Nullable Member next;

        private Member(Channel channel, LoopIndex index) {
            this.channel = channel;
            this.index = index;
        }

        /**
         * Counts the connection for sandbox {@code sandboxId}, admitted under {@code record}, leaving
         * the sandbox of an earlier request if that was another one.
         *
         * @param sandboxId the id the request named, equal to {@code record.id()} (a registry answers a
         *                  lookup only with the record of that id); with many sandboxes the request's own
         *                  copy is in the CPU's cache and the record's is not
         * @return false, and counted for no sandbox, when that sandbox is at its limit
         */
        boolean address(String sandboxId, SandboxRecord record) {
            if (sandbox != null && sandbox.id.equals(sandboxId)) {
                return true;
            }
            leave();
            if (!reserve(sandboxId)) {
                return false;
            }
            Admitted admitted = index.bySandbox.get(sandboxId);
            if (admitted == null) {
                admitted = new Admitted(sandboxId, record);
                index.bySandbox.put(sandboxId, admitted);
            }
            admitted.record = record;
            admitted.link(this);
            return true;
        }

        /** The connection closed (or moves on): it no longer counts for its sandbox. */
        void leave() {
            if (sandbox == null) {
                return;
            }
            Admitted left = sandbox;
            left.unlink(this);
            if (left.first == null) {
                index.bySandbox.remove(left.id);
            }
            release(left.id);
        }
    }

    /** One sandbox's connections on one loop, and the latest record any of them was admitted under. */
    private static final class Admitted {
        final String id;
        SandboxRecord record;
        @Nullable Member first;

        Admitted(String id, SandboxRecord record) {
            this.id = id;
            this.record = record;
        }

        void link(Member member) {
            member.sandbox = this;
            member.next = first;
            if (first != null) {
                first.previous = member;
            }
            first = member;
        }

        void unlink(Member member) {
            if (member.previous == null) {
                first = member.next;
            } else {
                member.previous.next = member.next;
            }
            if (member.next != null) {
                member.next.previous = member.previous;
            }
            member.sandbox = null;
            member.previous = null;
            member.next = null;
        }

        void close() {
            // Closing a connection unlinks it, so the list is copied before anyone is told.
            List<Channel> channels = new ArrayList<>();
            for (Member member = first; member != null; member = member.next) {
                channels.add(member.channel);
            }
            for (Channel channel : channels) {
                channel.pipeline().fireUserEventTriggered(ConnectionEvent.SANDBOX_CHANGED);
            }
        }
    }

    /** The connections of one event loop, by sandbox. */
    private static final class LoopIndex {
        final EventLoop loop;
        final Map<String, Admitted> bySandbox = new HashMap<>();

        LoopIndex(EventLoop loop) {
            this.loop = loop;
        }

        void removed(String sandboxId) {
            Admitted admitted = bySandbox.get(sandboxId);
            if (admitted != null) {
                admitted.close();
            }
        }

        void updated(SandboxRecord record) {
            Admitted admitted = bySandbox.get(record.id());
            if (admitted == null) {
                return;
            }
            if (invalidates(admitted.record, record)) {
                admitted.close();
            } else {
                admitted.record = record;
            }
        }
    }
}
