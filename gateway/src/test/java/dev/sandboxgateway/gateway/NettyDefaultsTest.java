package dev.sandboxgateway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.uring.IoUring;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NettyDefaultsTest {

    @Test
    void largeBuffersStayPooledUnderASmallHeap() throws Exception {
        assertEquals("pooled", probe(true).get(0), "with the gateway's defaults, under -Xmx256m");
        assertEquals("unpooled", probe(false).get(0),
                "Netty's own default under -Xmx256m, which the setting is there to change");
    }

    @Test
    void buffersAreNotTrackedForLeaks() throws Exception {
        assertEquals("DISABLED", probe(true).get(1), "with the gateway's defaults");
        assertEquals("SIMPLE", probe(false).get(1), "Netty's own default, which the setting is there to change");
    }

    @Test
    void ioUringReceivesOneBufferAtATime() throws Exception {
        assertEquals("false", probe(true).get(2), "multishot receives, with the gateway's defaults");
    }

    @Test
    void anOperatorsSettingIsKept() {
        assertEquals("true", applyTo(Map.of(NettyDefaults.ALLOCATOR_LOW_MEMORY, "true"))
                .getProperty(NettyDefaults.ALLOCATOR_LOW_MEMORY));

        Properties unset = applyTo(Map.of());
        assertEquals("false", unset.getProperty(NettyDefaults.ALLOCATOR_LOW_MEMORY));
        assertEquals("disabled", unset.getProperty(NettyDefaults.LEAK_DETECTION_LEVEL));
        assertEquals("false", unset.getProperty(NettyDefaults.IO_URING_RECV_MULTISHOT));
        assertEquals("true", applyTo(Map.of(NettyDefaults.IO_URING_RECV_MULTISHOT, "true"))
                .getProperty(NettyDefaults.IO_URING_RECV_MULTISHOT));
    }

    @Test
    void anOperatorsLeakDetectionLevelIsKeptUnderEitherName() {
        assertEquals("simple", applyTo(Map.of(NettyDefaults.LEAK_DETECTION_LEVEL, "simple"))
                .getProperty(NettyDefaults.LEAK_DETECTION_LEVEL));
        assertNull(applyTo(Map.of(NettyDefaults.LEAK_DETECTION_LEVEL_LEGACY, "advanced"))
                .getProperty(NettyDefaults.LEAK_DETECTION_LEVEL), "would override the legacy name");
    }

    /** System properties holding what the operator passed, after the gateway's defaults were applied. */
    private static Properties applyTo(Map<String, String> operator) {
        Properties system = new Properties();
        system.putAll(operator);
        NettyDefaults.apply(system);
        return system;
    }

    /**
     * Runs {@link Probe} in a JVM with a 256 MiB heap and none of this test run's settings (Netty
     * reads them once per JVM); returns its three answers.
     */
    private static List<String> probe(boolean gatewayDefaults) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(List.of(java.toString(), "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), Probe.class.getName(), Boolean.toString(gatewayDefaults)))
                .redirectErrorStream(true)
                .start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, process.exitValue(), output);
        // The JVM may warn on the same stream (loading io_uring's native library on JDK 24+).
        List<String> answers = output.lines().filter(line -> line.startsWith(Probe.ANSWER))
                .map(line -> line.substring(Probe.ANSWER.length())).toList();
        assertEquals(3, answers.size(), output);
        return answers;
    }

    /**
     * Allocates and releases one 64 KiB direct buffer, the size of a large socket read: a pooling
     * allocator keeps the memory for the next one, a fallback allocation gives it back at once.
     * Then prints the leak detection level in force, and whether io_uring receives are multishot.
     */
    public static final class Probe {
        static final String ANSWER = "answer: ";

        public static void main(String[] args) {
            if (Boolean.parseBoolean(args[0])) {
                NettyDefaults.apply(System.getProperties());
            }
            ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
            ByteBuf buffer = allocator.directBuffer(64 * 1024);
            buffer.release();
            long retained = ((ByteBufAllocatorMetricProvider) allocator).metric().usedDirectMemory();
            System.out.println(ANSWER + (retained > 0 ? "pooled" : "unpooled"));
            System.out.println(ANSWER + ResourceLeakDetector.getLevel());
            System.out.println(ANSWER + IoUring.isRecvMultishotEnabled());
        }
    }
}
