package dev.convoy.ingest.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Free bytes on the file system of a folder, read on a worker thread every few seconds, so
 * that admission checks, readiness and metrics read a number instead of making a system
 * call on the event loop.
 */
public final class DiskSpace {

    private final FileStore store;
    private final AtomicLong free = new AtomicLong();

    private DiskSpace(FileStore store) {
        this.store = store;
    }

    /** Reads once now (at start-up, off the event loop); {@link #refresh} reads again. */
    public static DiskSpace of(Path dir) throws IOException {
        DiskSpace disk = new DiskSpace(Files.getFileStore(dir));
        disk.read();
        return disk;
    }

    /** Reads the free space again, off the event loop. */
    public Future<Void> refresh(Vertx vertx) {
        return vertx.executeBlocking(() -> {
            read();
            return null;
        }, false);
    }

    public long freeBytes() {
        return free.get();
    }

    private void read() throws IOException {
        free.set(store.getUsableSpace());
    }
}
