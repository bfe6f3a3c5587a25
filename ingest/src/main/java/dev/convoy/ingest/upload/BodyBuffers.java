package dev.convoy.ingest.upload;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's memory for request bodies on their way to the spool, shared by every upload
 * receiving at once. Each upload holds at most two batches (one being written, one filling);
 * a batch is {@link #MAX_BATCH} bytes while few uploads arrive together and shrinks as more
 * do, so that all of them together stay within the budget. Below {@link #MIN_BATCH} it stops
 * shrinking: smaller writes would cost more in system calls than the memory they save.
 */
final class BodyBuffers {

    static final int MAX_BATCH = 64 * 1024;
    static final int MIN_BATCH = 4 * 1024;

    private final long budget;
    private final AtomicInteger receiving = new AtomicInteger();

    /** A budget of {@code budget} bytes held at once by all bodies together. */
    BodyBuffers(long budget) {
        if (budget < 2L * MIN_BATCH) {
            throw new IllegalArgumentException("a body buffer budget of " + budget + " bytes cannot hold one upload");
        }
        this.budget = budget;
    }

    /** An eighth of the heap: the rest is for everything else a node holds. */
    static BodyBuffers ofHeap() {
        return new BodyBuffers(Math.max(2L * MAX_BATCH, Runtime.getRuntime().maxMemory() / 8));
    }

    /** A body starts arriving. */
    void opened() {
        receiving.incrementAndGet();
    }

    /** A body ended, its last batch written. */
    void closed() {
        receiving.decrementAndGet();
    }

    /** Bodies arriving now. */
    int receiving() {
        return receiving.get();
    }

    /** How many bytes a body gathers before it hands them to the disk: its share of the budget, halved for the batch in flight. */
    int batchBytes() {
        long share = budget / (2L * Math.max(1, receiving.get()));
        return (int) Math.max(MIN_BATCH, Math.min(MAX_BATCH, share));
    }
}
