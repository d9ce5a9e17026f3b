package dev.sandboxgateway.benchmarks.load;

import dev.sandboxgateway.routing.registry.FileSandboxRegistry;
import dev.sandboxgateway.routing.registry.RegistryFileException;
import dev.sandboxgateway.routing.registry.SandboxRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Host header values from a plain list, or from the sandboxes in a registry file. */
final class HostList {

    private HostList() {
    }

    static List<String> read(String file, String template, int sandboxPort) {
        Path path = Path.of(file);
        List<String> hosts;
        if (file.endsWith(".yaml") || file.endsWith(".yml") || file.endsWith(".json")) {
            try (FileSandboxRegistry registry = FileSandboxRegistry.open(path, Duration.ofHours(1))) {
                hosts = registry.list().join().stream()
                        .map(record -> host(template, record, sandboxPort))
                        .sorted()
                        .toList();
            } catch (RegistryFileException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        } else {
            try {
                hosts = Files.readAllLines(path).stream().map(String::trim)
                        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                        .toList();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException(file + " names no hosts");
        }
        return hosts;
    }

    private static String host(String template, SandboxRecord record, int sandboxPort) {
        String id = record.suffix() == null ? record.id() : record.id() + "-" + record.suffix();
        return template.replace("{id}", id).replace("{port}", Integer.toString(sandboxPort));
    }
}
