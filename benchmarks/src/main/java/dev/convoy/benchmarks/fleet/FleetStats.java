package dev.convoy.benchmarks.fleet;

import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/** What a fleet run counted and timed; read by the progress line, the summary table and {@code --json}. */
final class FleetStats {

    final AtomicLong recorded = new AtomicLong();
    final AtomicLong uploadsOk = new AtomicLong();
    final AtomicLong uploadsFailed = new AtomicLong();
    final AtomicLong bytesAcked = new AtomicLong();
    final AtomicLong resumes = new AtomicLong();
    final AtomicLong ready = new AtomicLong();
    final AtomicLong transcodeFailed = new AtomicLong();
    final AtomicLong neverReady = new AtomicLong();
    final AtomicLong verified = new AtomicLong();
    final AtomicLong mismatched = new AtomicLong();
    final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    final Samples chunkAckMs = new Samples();
    /** From the last byte acknowledged to the ready status seen, by this fleet's clock (within one poll). */
    final Samples readyMs = new Samples();
    /** From the last byte written to the manifest, by the server's clock ({@code timeToReadyMs} of the clip). */
    final Samples serverReadyMs = new Samples();
    /** The server's time to ready by kind and container, e.g. {@code incident/ts}. */
    final Map<String, Samples> serverReadyByGroup = new ConcurrentSkipListMap<>();
    volatile double serverHeapMaxMib;
    volatile double serverQueueMax;
    volatile long startNanos = System.nanoTime();
    volatile long uploadEndNanos;

    /** Clips recorded whose upload has neither finished nor been given up. */
    long uploadsPending() {
        return recorded.get() - uploadsOk.get() - uploadsFailed.get();
    }

    /** A clip became ready (or was refused); {@code serverMs} is negative when the server gave no time of its own. */
    void readyAfter(String kind, String container, long seenMs, long serverMs) {
        readyMs.add(seenMs);
        long ms = serverMs >= 0 ? serverMs : seenMs;
        serverReadyMs.add(ms);
        serverReadyByGroup.computeIfAbsent(kind + "/" + container, k -> new Samples()).add(ms);
    }

    void error(String kind) {
        errors.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    }

    long errorCount() {
        return errors.values().stream().mapToLong(AtomicLong::get).sum();
    }

    double seconds() {
        long end = uploadEndNanos > 0 ? uploadEndNanos : System.nanoTime();
        return (end - startNanos) / 1e9;
    }

    double mibPerSecond() {
        return bytesAcked.get() / 1048576.0 / Math.max(0.001, seconds());
    }

    /** Whether every recorded clip was uploaded whole, became ready (or was refused by the transcoder) and, if checked, came back byte for byte. */
    boolean lossless(boolean verify) {
        return uploadsFailed.get() == 0 && neverReady.get() == 0 && mismatched.get() == 0
                && (!verify || verified.get() == uploadsOk.get());
    }

    JsonObject toJson(FleetOptions o) {
        JsonObject errorsJson = new JsonObject();
        errors.forEach((k, v) -> errorsJson.put(k, v.get()));
        JsonObject byGroup = new JsonObject();
        serverReadyByGroup.forEach((k, v) -> byGroup.put(k, v.toJson()));
        return new JsonObject()
                .put("cams", o.cams()).put("network", o.network().name()).put("durationSeconds", o.duration().toSeconds())
                .put("clipsRecorded", recorded.get()).put("uploadsOk", uploadsOk.get()).put("uploadsFailed", uploadsFailed.get())
                .put("bytes", bytesAcked.get()).put("mibPerSecond", round(mibPerSecond()))
                .put("resumes", resumes.get()).put("errors", errorsJson)
                .put("chunkAckMs", chunkAckMs.toJson()).put("readyMs", readyMs.toJson())
                .put("serverReadyMs", serverReadyMs.toJson()).put("serverReadyMsByKindAndContainer", byGroup)
                .put("ready", ready.get()).put("transcodeFailed", transcodeFailed.get()).put("neverReady", neverReady.get())
                .put("verified", verified.get()).put("mismatched", mismatched.get())
                .put("serverHeapMaxMib", round(serverHeapMaxMib)).put("serverQueueMax", serverQueueMax)
                .put("lossless", lossless(o.verify()));
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    /** Latencies in milliseconds, kept whole for exact percentiles (a run has at most a few hundred thousand). */
    static final class Samples {
        private long[] values = new long[1024];
        private int size;

        synchronized void add(long ms) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = ms;
        }

        synchronized long percentile(double p) {
            if (size == 0) {
                return 0;
            }
            long[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            // Nearest rank: the smallest value with at least p% of the samples at or below it.
            int rank = (int) Math.ceil(p / 100 * size);
            return sorted[Math.max(0, Math.min(size, rank) - 1)];
        }

        synchronized int count() {
            return size;
        }

        JsonObject toJson() {
            return new JsonObject().put("count", count()).put("p50", percentile(50)).put("p95", percentile(95))
                    .put("p99", percentile(99));
        }
    }
}
