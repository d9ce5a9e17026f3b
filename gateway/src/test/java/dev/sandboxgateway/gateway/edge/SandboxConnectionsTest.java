package dev.sandboxgateway.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandboxgateway.gateway.relay.ConnectionEvent;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import dev.sandboxgateway.routing.registry.SandboxState;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Which connections count for which sandbox, and which are told when a sandbox changes. */
@Tag("unit")
class SandboxConnectionsTest {

    private static final SandboxRecord X = SandboxRecord.running("x", "127.0.0.1");
    private static final SandboxRecord Y = SandboxRecord.running("y", "127.0.0.1");

    /** Each EmbeddedChannel has an event loop of its own, so these are three loops' indexes. */
    private final Client a = new Client();
    private final Client b = new Client();
    private final Client c = new Client();

    @AfterEach
    void close() {
        for (Client client : List.of(a, b, c)) {
            client.channel.finishAndReleaseAll();
        }
    }

    @Test
    void removingASandboxTellsExactlyItsConnections() {
        SandboxConnections connections = new SandboxConnections(0);
        SandboxConnections.Member ma = connections.member(a.channel);
        SandboxConnections.Member mb = connections.member(b.channel);
        SandboxConnections.Member mc = connections.member(c.channel);
        assertTrue(ma.address(X.id(), X));
        assertTrue(mb.address(X.id(), X));
        assertTrue(mc.address(Y.id(), Y));
        assertTrue(mb.address(Y.id(), Y), "b's next request addresses y: it now counts for y only");

        connections.sandboxRemoved("x");
        runPendingTasks();
        assertEquals(1, a.changes());
        assertEquals(0, b.changes());
        assertEquals(0, c.changes());

        connections.sandboxRemoved("y");
        runPendingTasks();
        assertEquals(1, a.changes());
        assertEquals(1, b.changes());
        assertEquals(1, c.changes());
    }

    @Test
    void manyConnectionsOfOneLoopLeaveInAnyOrder() {
        SandboxConnections connections = new SandboxConnections(0);
        List<SandboxConnections.Member> members = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            SandboxConnections.Member member = connections.member(a.channel);
            assertTrue(member.address(X.id(), X));
            members.add(member);
        }
        // The middle, the last linked, the first linked: every position of the list.
        members.get(2).leave();
        members.get(4).address(Y.id(), Y);
        members.get(0).leave();

        connections.sandboxRemoved("x");
        runPendingTasks();
        assertEquals(2, a.changes());

        members.get(1).leave();
        members.get(3).leave();
        connections.sandboxRemoved("x");
        runPendingTasks();
        assertEquals(2, a.changes(), "nobody counts for x any more");
    }

    @Test
    void theLimitCountsConnectionsOfEveryLoopAndFreesWhenOneLeaves() {
        SandboxConnections connections = new SandboxConnections(2);
        SandboxConnections.Member ma = connections.member(a.channel);
        SandboxConnections.Member mb = connections.member(b.channel);
        SandboxConnections.Member mc = connections.member(c.channel);
        assertTrue(ma.address(X.id(), X));
        assertTrue(mb.address(X.id(), X));
        assertFalse(mc.address(X.id(), X), "x already has two connections");
        assertTrue(ma.address(X.id(), X), "a counts for x already; its next request to x is no new connection");

        assertTrue(ma.address(Y.id(), Y), "a moves to y");
        assertTrue(mc.address(X.id(), X), "a's place at x was freed");
        assertFalse(ma.address(X.id(), X));

        mb.leave();
        assertTrue(ma.address(X.id(), X));
    }

    @Test
    void refusedConnectionCountsForNoSandbox() {
        SandboxConnections connections = new SandboxConnections(1);
        SandboxConnections.Member ma = connections.member(a.channel);
        SandboxConnections.Member mb = connections.member(b.channel);
        assertTrue(mb.address(Y.id(), Y));
        assertTrue(ma.address(X.id(), X));
        assertFalse(mb.address(X.id(), X), "b left y for x, which is full");
        assertTrue(connections.member(c.channel).address(Y.id(), Y), "b's place at y was freed");

        connections.sandboxRemoved("x");
        runPendingTasks();
        assertEquals(0, b.changes());
    }

    @Test
    void updatesThatInvalidateTheAdmissionCloseAndOthersDoNot() {
        SandboxConnections connections = new SandboxConnections(0);
        SandboxConnections.Member ma = connections.member(a.channel);
        assertTrue(ma.address(X.id(), X));

        connections.sandboxUpdated(X.withMaxRequestBodySize(1024L));
        runPendingTasks();
        assertEquals(0, a.changes(), "a body limit change leaves open connections alone");

        connections.sandboxUpdated(X.withMaxRequestBodySize(1024L).withState(SandboxState.PAUSED));
        runPendingTasks();
        assertEquals(1, a.changes());

        SandboxConnections.Member mb = connections.member(b.channel);
        assertTrue(mb.address(Y.id(), Y));
        connections.sandboxUpdated(Y.withBackendHost("127.0.0.2"));
        runPendingTasks();
        assertEquals(1, b.changes(), "another backend address");

        SandboxConnections.Member mc = connections.member(c.channel);
        assertTrue(mc.address(X.id(), X.withAccessToken("secret")));
        connections.sandboxUpdated(X.withAccessToken("secret").withMaxRequestBodySize(5L));
        connections.sandboxUpdated(X.withAccessToken("other").withMaxRequestBodySize(5L));
        runPendingTasks();
        assertEquals(1, c.changes(), "compared against the latest record admitted under, not the first");
    }

    private void runPendingTasks() {
        for (Client client : List.of(a, b, c)) {
            client.channel.runPendingTasks();
        }
    }

    private static final class Client extends ChannelInboundHandlerAdapter {
        final EmbeddedChannel channel = new EmbeddedChannel(this);
        private int changes;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event == ConnectionEvent.SANDBOX_CHANGED) {
                changes++;
            }
        }

        int changes() {
            return changes;
        }
    }
}
