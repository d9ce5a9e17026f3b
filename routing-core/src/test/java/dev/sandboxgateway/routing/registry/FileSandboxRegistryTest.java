package dev.sandboxgateway.routing.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSandboxRegistryTest {

    private static final Duration POLL = Duration.ofMillis(50);

    @TempDir
    Path dir;

    /** Records events as strings: "updated:id@host", "removed:id". */
    private static final class EventLog implements RegistryListener {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        @Override
        public void onUpdated(SandboxRecord record) {
            events.add("updated:" + record.id() + "@" + record.backendHost());
        }

        @Override
        public void onRemoved(String sandboxId) {
            events.add("removed:" + sandboxId);
        }

        @Override
        public void onReset() {
            events.add("reset");
        }

        String next() throws InterruptedException {
            String event = events.poll(10, TimeUnit.SECONDS);
            assertTrue(event != null, "no registry event within 10 s");
            return event;
        }
    }

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Path temp = dir.resolve(name + ".tmp");
        Files.writeString(temp, content);
        Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    @Test
    void readsEveryFieldFromYaml() throws Exception {
        Path file = write("sandboxes.yaml", """
                sandboxes:
                  - id: i62mff4ahtrdfdkyn2esc
                    suffix: b0b684e9
                    backendHost: 10.1.2.3
                    state: paused
                    allowedPorts: [3000, 8080]
                    accessToken: s3cret
                    labels: {team: web}
                    allowedClients: [10.0.0.0/8, "2001:db8::/32"]
                    maxRequestBodySize: 1048576
                    portStartupWaitMillis: 30000
                    allowedOrigins: ["https://ide.example.com"]
                    hostRewrite: {"5173": "localhost:${port}"}
                  - id: plain
                    backendHost: 127.0.0.1
                """);
        try (FileSandboxRegistry registry = FileSandboxRegistry.open(file, POLL)) {
            assertEquals(Optional.of(new SandboxRecord("i62mff4ahtrdfdkyn2esc", "b0b684e9", "10.1.2.3",
                    SandboxState.PAUSED, Set.of(3000, 8080), "s3cret", Map.of("team", "web"),
                    List.of(CidrBlock.parse("10.0.0.0/8"), CidrBlock.parse("2001:db8::/32")), 1_048_576L, 30_000L,
                    List.of("https://ide.example.com"), Map.of("5173", "localhost:${port}"))),
                    registry.lookup("i62mff4ahtrdfdkyn2esc").join());
            assertEquals(Optional.of(SandboxRecord.running("plain", "127.0.0.1")), registry.lookup("plain").join());
            assertEquals(2, registry.list().join().size());
        }
    }

    @Test
    void readsRegistriesOfHundredsOfThousandsOfSandboxes() throws Exception {
        StringBuilder yaml = new StringBuilder("sandboxes:\n");
        for (int i = 0; i < 150_000; i++) {
            yaml.append("  - {id: sandbox").append(i).append(", backendHost: 10.0.").append(i >> 8 & 255).append('.')
                    .append(i & 255).append("}\n");
        }
        Path file = write("sandboxes.yaml", yaml.toString());
        assertTrue(Files.size(file) > 6_000_000, "larger than SnakeYAML's default 3 MB limit");
        try (FileSandboxRegistry registry = FileSandboxRegistry.open(file, POLL)) {
            assertEquals(150_000, registry.list().join().size());
            assertEquals("10.0.2.15", registry.lookup("sandbox527").join().orElseThrow().backendHost());
        }
    }

    @Test
    void readsJson() throws Exception {
        Path file = write("sandboxes.json", "{\"sandboxes\":[{\"id\":\"abc\",\"backendHost\":\"10.0.0.1\"}]}");
        try (FileSandboxRegistry registry = FileSandboxRegistry.open(file, POLL)) {
            assertEquals("10.0.0.1", registry.lookup("abc").join().orElseThrow().backendHost());
        }
    }

    @Test
    void editsTakeEffectWithoutRestartAsPerRecordEvents() throws Exception {
        Path file = write("sandboxes.yaml", """
                sandboxes:
                  - {id: keep, backendHost: 10.0.0.1}
                  - {id: move, backendHost: 10.0.0.2}
                  - {id: gone, backendHost: 10.0.0.3}
                """);
        try (FileSandboxRegistry registry = FileSandboxRegistry.open(file, POLL)) {
            EventLog log = new EventLog();
            registry.subscribe(log);
            write("sandboxes.yaml", """
                    sandboxes:
                      - {id: keep, backendHost: 10.0.0.1}
                      - {id: move, backendHost: 10.0.0.22}
                      - {id: added, backendHost: 10.0.0.4}
                    """);
            Set<String> events = Set.of(log.next(), log.next(), log.next());
            assertEquals(Set.of("updated:move@10.0.0.22", "updated:added@10.0.0.4", "removed:gone"), events);
            assertEquals("10.0.0.22", registry.lookup("move").join().orElseThrow().backendHost());
            assertEquals(Optional.empty(), registry.lookup("gone").join());
            assertEquals(0, log.events.size(), "the unchanged record published nothing");
        }
    }

    @Test
    void aNewPollIntervalTakesEffectAtOnce() throws Exception {
        Path file = write("sandboxes.yaml", "sandboxes:\n  - {id: one, backendHost: 10.0.0.1}\n");
        try (FileSandboxRegistry registry = FileSandboxRegistry.open(file, Duration.ofHours(1))) {
            EventLog log = new EventLog();
            registry.subscribe(log);
            registry.pollEvery(POLL);
            write("sandboxes.yaml", "sandboxes:\n  - {id: one, backendHost: 10.0.0.9}\n");
            assertEquals("updated:one@10.0.0.9", log.next(), "seen long before the hour the registry opened with");
        }
    }

    @Test
    void invalidEditKeepsLastGoodContent() throws Exception {
        Path file = write("sandboxes.yaml", "sandboxes:\n  - {id: abc, backendHost: 10.0.0.1}\n");
        try (FileSandboxRegistry registry = FileSandboxRegistry.open(file, POLL)) {
            EventLog log = new EventLog();
            registry.subscribe(log);
            write("sandboxes.yaml", "sandboxes:\n  - {id: abc, backendHost: 10.0.0.1}\n  - {id: Bad_Id, backendHost: x}\n");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (registry.rejectedEdits() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(1, registry.rejectedEdits());
            assertEquals("10.0.0.1", registry.lookup("abc").join().orElseThrow().backendHost());

            write("sandboxes.yaml", "sandboxes:\n  - {id: abc, backendHost: 10.0.0.7}\n");
            assertEquals("updated:abc@10.0.0.7", log.next(), "a later good edit is applied");
        }
    }

    @Test
    void missingFileIsAnEmptyRegistryUntilCreated() throws Exception {
        Path file = dir.resolve("later.yaml");
        try (FileSandboxRegistry registry = FileSandboxRegistry.open(file, POLL)) {
            assertEquals(0, registry.list().join().size());
            EventLog log = new EventLog();
            registry.subscribe(log);
            write("later.yaml", "sandboxes:\n  - {id: abc, backendHost: 10.0.0.1}\n");
            assertEquals("updated:abc@10.0.0.1", log.next());
        }
    }

    @Test
    void invalidFileAtStartupIsAnError() throws Exception {
        Path file = write("sandboxes.yaml", "sandboxes:\n  - {id: abc, backendHost: 10.0.0.1, prot: 3}\n");
        RegistryFileException error = assertThrows(RegistryFileException.class,
                () -> FileSandboxRegistry.open(file, POLL));
        assertTrue(error.getMessage().contains("prot"), error.getMessage());
    }

    @Test
    void errorsNameFileLineAndProblem() throws Exception {
        Path file = write("sandboxes.yaml", """
                sandboxes:
                  - id: abc
                    backendHost: 10.0.0.1
                  - id: def
                    backendHost: 10.0.0.2
                    state: sleeping
                """);
        String message = assertThrows(RegistryFileException.class, () -> RegistryFileReader.read(file)).getMessage();
        assertTrue(message.startsWith(file.toString()), message);
        assertTrue(message.contains("line 6"), message);
        assertTrue(message.contains("sandboxes[1].state"), message);
        assertTrue(message.contains("'sleeping' is not one of running, paused, starting, stopped"), message);
    }

    @Test
    void recordValidationErrorsNameTheField() throws Exception {
        Path file = write("sandboxes.yaml", "sandboxes:\n  - id: abc\n    backendHost: 10.0.0.1\n  - id: def\n    allowedPorts: [0]\n    backendHost: h\n");
        String message = assertThrows(RegistryFileException.class, () -> RegistryFileReader.read(file)).getMessage();
        assertTrue(message.contains("allowedPorts: 0 is not a port number"), message);
        assertTrue(message.contains("line "), message);
    }

    @Test
    void duplicateIdsAndEmptyFilesAreRejected() throws Exception {
        Path duplicate = write("dup.yaml", "sandboxes:\n  - {id: abc, backendHost: a}\n  - {id: abc, backendHost: b}\n");
        assertTrue(assertThrows(RegistryFileException.class, () -> RegistryFileReader.read(duplicate))
                .getMessage().contains("id 'abc' appears more than once"));
        Path empty = write("empty.yaml", "");
        assertTrue(assertThrows(RegistryFileException.class, () -> RegistryFileReader.read(empty))
                .getMessage().contains("the file is empty"));
        Path noKey = write("nokey.yaml", "hosts: []\n");
        assertThrows(RegistryFileException.class, () -> RegistryFileReader.read(noKey));
    }
}
