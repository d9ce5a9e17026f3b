package dev.sandboxgateway.gateway.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** deploy/prometheus/alerts.yml checked and unit-tested by Prometheus's promtool. */
class AlertRulesTest {

    private static final Path RULES = Path.of("").toAbsolutePath().getParent().resolve("deploy/prometheus");

    private static String promtool(String... arguments) throws Exception {
        Process process;
        try {
            process = new ProcessBuilder(command(arguments)).directory(RULES.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("promtool is needed: apt-get install prometheus (Debian's package)", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, process.exitValue(), "promtool " + String.join(" ", arguments) + ":\n" + output);
        return output;
    }

    private static List<String> command(String... arguments) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of("promtool"), java.util.Arrays.stream(arguments))
                .toList();
    }

    @Test
    void theRulesAreValid() throws Exception {
        assertTrue(promtool("check", "rules", "alerts.yml").contains("SUCCESS: 9 rules found"));
    }

    @Test
    void everyAlertFiresWhenItShouldAndOnlyThen() throws Exception {
        assertTrue(promtool("test", "rules", "alerts.test.yml").contains("SUCCESS"));
    }
}
