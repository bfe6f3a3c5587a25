package dev.convoy.ingest.ops;

import dev.convoy.ingest.upload.Admission;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * New uploads are refused while the node drains, while the transcode backlog is at its limit or
 * while the spool disk is nearly full; bytes for uploads already started keep coming
 * (backpressure, not collapse).
 */
public final class Backpressure implements Admission {

    /** What a refused camera is told to wait: long enough for a few clips to clear the queue. */
    private static final int RETRY_AFTER_SECONDS = 30;
    /** What a camera refused by a draining node is told: the load balancer has other nodes by then. */
    private static final int DRAINING_RETRY_AFTER_SECONDS = 5;

    private final BooleanSupplier queueFull;
    private final BooleanSupplier draining;
    private final AtomicBoolean writesClosed = new AtomicBoolean();
    private final DiskSpace spoolDisk;
    private final long minFreeSpoolBytes;
    private final long floorBytes;

    public Backpressure(BooleanSupplier queueFull, BooleanSupplier draining, DiskSpace spoolDisk, long minFreeSpoolBytes,
                        long floorBytes) {
        this.queueFull = queueFull;
        this.draining = draining;
        this.spoolDisk = spoolDisk;
        this.minFreeSpoolBytes = minFreeSpoolBytes;
        this.floorBytes = floorBytes;
    }

    @Override
    public boolean belowFloor() {
        return spoolDisk.freeBytes() < floorBytes;
    }

    @Override
    public Optional<String> refusal(long bytes) {
        if (draining.getAsBoolean()) {
            return Optional.of("this node is shutting down; another takes new uploads");
        }
        if (queueFull.getAsBoolean()) {
            return Optional.of("transcode backlog at its limit");
        }
        if (!spoolHasRoom()) {
            return Optional.of("spool disk nearly full");
        }
        if (spoolDisk.freeBytes() - bytes < minFreeSpoolBytes) {
            // A concatenation of parts already here writes its whole length at once: it must fit too.
            return Optional.of("spool disk cannot hold " + bytes + " more bytes");
        }
        return Optional.empty();
    }

    @Override
    public boolean acceptsWrites() {
        return !writesClosed.get();
    }

    /** A stopping node is out of grace: started uploads get no more bytes either. */
    public void closeWrites() {
        writesClosed.set(true);
    }

    public boolean spoolHasRoom() {
        return spoolDisk.freeBytes() >= minFreeSpoolBytes;
    }

    @Override
    public int retryAfterSeconds() {
        return draining.getAsBoolean() ? DRAINING_RETRY_AFTER_SECONDS : RETRY_AFTER_SECONDS;
    }
}
