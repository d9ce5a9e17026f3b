package dev.sandboxgateway.routing.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registry read from a YAML or JSON file and watched for edits.
 *
 * <p>The file is polled (modification time, size and inode) rather than watched with inotify,
 * because editors and config-management tools replace files in ways inotify watches lose track of.
 * An edit that does not parse or validate keeps the last good content and logs the file, line and
 * problem once; the next good edit is applied as a diff, publishing one event per changed record.
 */
public final class FileSandboxRegistry implements SandboxRegistry {

    private static final Logger log = LoggerFactory.getLogger(FileSandboxRegistry.class);

    private record FileStamp(long modifiedNanos, long size, Object fileKey) {
    }

    private final Path file;
    private final ListenerSet listeners = new ListenerSet();
    private final ScheduledExecutorService poller;
    private volatile Map<String, SandboxRecord> records = Map.of();
    private final AtomicLong rejectedEdits = new AtomicLong();
    private @Nullable FileStamp lastSeen;
    /** The periodic check of the file; replaced when the interval changes. */
    private @Nullable ScheduledFuture<?> polling;

    private FileSandboxRegistry(Path file) {
        this.file = file;
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "registry-file-watch");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Loads the file and starts watching it. A missing file is an empty registry (it is picked up
     * once created); an invalid one is a startup error.
     */
    public static FileSandboxRegistry open(Path file, Duration pollInterval) throws RegistryFileException {
        FileSandboxRegistry registry = new FileSandboxRegistry(file.toAbsolutePath().normalize());
        registry.loadInitial();
        registry.pollEvery(pollInterval);
        return registry;
    }

    /** Checks the file every {@code interval} from now on ({@code registry.pollInterval}, which a reload may change). */
    public synchronized void pollEvery(Duration interval) {
        if (polling != null) {
            polling.cancel(false);
        }
        long period = interval.toMillis();
        polling = poller.scheduleWithFixedDelay(this::reloadIfChanged, period, period, TimeUnit.MILLISECONDS);
    }

    private void loadInitial() throws RegistryFileException {
        FileStamp stamp;
        try {
            stamp = stamp();
        } catch (IOException e) {
            throw new RegistryFileException(file + ": cannot be read: " + e, e);
        }
        if (stamp == null) {
            log.warn("registry file {} does not exist yet: no sandboxes are routable until it is created", file);
            return;
        }
        records = Map.copyOf(RegistryFileReader.read(file));
        lastSeen = stamp;
        log.info("registry file {} loaded: {} sandboxes", file, records.size());
    }

    private void reloadIfChanged() {
        try {
            FileStamp stamp = stamp();
            if (Objects.equals(stamp, lastSeen)) {
                return;
            }
            lastSeen = stamp;
            if (stamp == null) {
                log.error("registry file {} was deleted; keeping the last {} sandboxes until it is back",
                        file, records.size());
                return;
            }
            apply(RegistryFileReader.read(file));
        } catch (RegistryFileException e) {
            rejectedEdits.incrementAndGet();
            log.error("registry file edit rejected, keeping the last good content ({} sandboxes): {}",
                    records.size(), e.getMessage());
        } catch (IOException | RuntimeException e) {
            log.error("registry file {} could not be checked for changes", file, e);
        }
    }

    private void apply(Map<String, SandboxRecord> next) {
        Map<String, SandboxRecord> previous = records;
        records = Map.copyOf(next);
        int changed = 0;
        for (SandboxRecord record : next.values()) {
            if (!record.equals(previous.get(record.id()))) {
                listeners.updated(record);
                changed++;
            }
        }
        Map<String, SandboxRecord> gone = new HashMap<>(previous);
        gone.keySet().removeAll(next.keySet());
        gone.keySet().forEach(listeners::removed);
        log.info("registry file {} reloaded: {} sandboxes, {} added or changed, {} removed",
                file, next.size(), changed, gone.size());
    }

    private @Nullable FileStamp stamp() throws IOException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new FileStamp(attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS), attributes.size(),
                    attributes.fileKey());
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** How many edits were rejected as invalid since start. */
    public long rejectedEdits() {
        return rejectedEdits.get();
    }

    public Path file() {
        return file;
    }

    @Override
    public CompletableFuture<Optional<SandboxRecord>> lookup(String sandboxId) {
        return CompletableFuture.completedFuture(Optional.ofNullable(records.get(sandboxId)));
    }

    @Override
    public CompletableFuture<List<SandboxRecord>> list() {
        return CompletableFuture.completedFuture(List.copyOf(records.values()));
    }

    @Override
    public Subscription subscribe(RegistryListener listener) {
        return listeners.add(listener);
    }

    @Override
    public String kind() {
        return "file";
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
