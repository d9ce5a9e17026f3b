package dev.sandboxgateway.benchmarks.memory;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Prints a JVM's live heap in KiB after a full GC, read over JMX (the JVM must be started with
 * {@code com.sun.management.jmxremote.port}). Memory per connection is a difference of two such
 * readings: the process's RSS cannot show it, since new objects land in heap pages earlier garbage
 * already touched. JMX rather than {@code jcmd}, because the attach mechanism does not work on every
 * machine the benchmarks run on.
 *
 * <pre>java -cp loadgen.jar dev.sandboxgateway.benchmarks.memory.HeapProbe 127.0.0.1:9010</pre>
 */
public final class HeapProbe {

    private HeapProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("Usage: HeapProbe HOST:JMX_PORT");
            System.exit(2);
        }
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://" + args[0] + "/jmxrmi");
        try (JMXConnector connector = JMXConnectorFactory.connect(url)) {
            MemoryMXBean memory = ManagementFactory.newPlatformMXBeanProxy(connector.getMBeanServerConnection(),
                    ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
            // A second collection frees what the first one's finalisation and reference processing released.
            memory.gc();
            memory.gc();
            System.out.println(memory.getHeapMemoryUsage().getUsed() / 1024);
        }
    }
}
