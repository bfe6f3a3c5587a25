package dev.convoy.ingest.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What the operators' page shows: every {@link #EVERY} a sample of this node's meters, the
 * same ones {@code /metrics} serves (nothing here counts anything itself), kept for
 * {@link #KEPT}, with the rates and the time-to-ready percentiles of the last minute worked
 * out from them; and the latest clips that failed, which no meter names.
 */
public final class OpsStats {

    public static final Duration EVERY = Duration.ofSeconds(2);
    public static final Duration KEPT = Duration.ofMinutes(15);
    /** Rates and percentiles are worked out over this long. */
    static final Duration WINDOW = Duration.ofMinutes(1);
    private static final int SAMPLES = (int) (KEPT.toMillis() / EVERY.toMillis());
    private static final int WINDOW_SAMPLES = (int) (WINDOW.toMillis() / EVERY.toMillis());
    private static final int LATEST_FAILED = 10;
    private static final double MIB = 1024 * 1024;

    /** A clip that failed, for the operators' list. */
    public record FailedClip(String id, String kind, String reason, Instant at) {
        JsonObject toJson() {
            return new JsonObject().put("id", id).put("kind", kind).put("reason", reason).put("at", at.toString());
        }
    }

    /**
     * One sample as the page gets it, and the cumulative counts of the ready clips' time-to-ready
     * histogram then (which the page does not get).
     */
    private record Reading(JsonObject json, double[] readyBuckets) {
        long at() {
            return json.getLong("at");
        }
    }

    private final MeterRegistry registry;
    private final String node;
    private final Clock clock;
    private final Deque<Reading> readings = new ArrayDeque<>();
    private final Deque<FailedClip> failed = new ArrayDeque<>();

    public OpsStats(MeterRegistry registry, String node, Clock clock) {
        this.registry = registry;
        this.node = node;
        this.clock = clock;
    }

    /** Takes one sample now (the periodic job calls this every {@link #EVERY}). */
    public synchronized void sample() {
        long now = clock.millis();
        double bytesIn = counter("convoy.upload.bytes", null, null);
        double ready = timerCount("ready");
        double[][] buckets = readyBuckets();
        JsonObject json = new JsonObject().put("at", now)
                .put("bytesIn", bytesIn)
                .put("uploadsActive", gauge("convoy.uploads.active"))
                .put("clipsInFlight", byTag("convoy.clips.in.flight", "status"))
                .put("uploadsCreated", counter("convoy.upload.creations", null, null))
                .put("resumes", counter("convoy.upload.resumes", null, null))
                .put("ready", ready)
                .put("failed", timerCount("failed"))
                .put("queue", byTag("convoy.transcode.queue.depth", "kind"))
                .put("oldestWaitingSeconds", byTag("convoy.transcode.queue.oldest", "kind"))
                .put("workers", byTag("convoy.transcode.workers", "state"))
                .put("workerRestarts", counter("convoy.transcode.worker.restarts", null, null))
                .put("spoolFreeBytes", gauge("convoy.spool.free"))
                .put("storeErrors", counter("convoy.store.requests", "outcome", "error"))
                .put("failuresByReason", byTag("convoy.transcode.failures", "reason"));
        Reading previous = readings.peekLast();
        Reading windowStart = readings.size() >= WINDOW_SAMPLES
                ? nth(readings.size() - WINDOW_SAMPLES) : readings.peekFirst();
        if (previous != null && now > previous.at()) {
            json.put("inMiBps", Math.max(0, bytesIn - previous.json().getDouble("bytesIn")) / MIB / ((now - previous.at()) / 1000.0));
        }
        if (windowStart != null && now > windowStart.at()) {
            json.put("readyPerMinute", Math.max(0, ready - windowStart.json().getDouble("ready")) * 60_000.0
                    / (now - windowStart.at()));
            // A histogram not there yet (no clip was ready before) counted nothing then.
            double[] since = windowStart.readyBuckets().length == buckets[0].length ? windowStart.readyBuckets()
                    : new double[buckets[0].length];
            json.put("timeToReadyP50Seconds", quantile(buckets[1], buckets[0], since, 0.50))
                    .put("timeToReadyP95Seconds", quantile(buckets[1], buckets[0], since, 0.95));
        }
        readings.addLast(new Reading(json, buckets[0]));
        while (readings.size() > SAMPLES) {
            readings.removeFirst();
        }
    }

    /** A clip was committed as failed. */
    public synchronized void failed(FailedClip clip) {
        failed.addFirst(clip);
        while (failed.size() > LATEST_FAILED) {
            failed.removeLast();
        }
    }

    /** The samples taken after {@code since} (epoch milliseconds; 0 for all kept), and the latest failed clips. */
    public synchronized JsonObject since(long since) {
        JsonArray samples = new JsonArray();
        readings.stream().filter(r -> r.at() > since).forEach(r -> samples.add(r.json()));
        JsonArray latest = new JsonArray();
        failed.forEach(f -> latest.add(f.toJson()));
        return new JsonObject().put("node", node).put("everySeconds", EVERY.toSeconds()).put("keptSeconds", KEPT.toSeconds())
                .put("samples", samples).put("latestFailed", latest);
    }

    /** As {@link #since}, with the latest sample alone (none before the first). */
    public synchronized JsonObject latest() {
        Reading last = readings.peekLast();
        return since(last == null ? Long.MAX_VALUE : last.at() - 1);
    }

    private Reading nth(int index) {
        Iterator<Reading> it = readings.iterator();
        for (int i = 0; i < index; i++) {
            it.next();
        }
        return it.next();
    }

    /**
     * The {@code q} quantile, in seconds, of the clips counted between the cumulative bucket
     * counts {@code before} and {@code now}, interpolated within its bucket; null when none was.
     */
    static Double quantile(double[] bounds, double[] now, double[] before, double q) {
        if (bounds.length == 0 || now.length != bounds.length || before.length != bounds.length) {
            return null;
        }
        double total = now[now.length - 1] - before[before.length - 1];
        if (total <= 0) {
            return null;
        }
        double rank = q * total;
        double lowerBound = 0;
        double lowerCount = 0;
        for (int i = 0; i < bounds.length; i++) {
            double count = now[i] - before[i];
            if (count >= rank) {
                double inBucket = count - lowerCount;
                double share = inBucket <= 0 ? 1 : (rank - lowerCount) / inBucket;
                return lowerBound + (bounds[i] - lowerBound) * share;
            }
            lowerBound = bounds[i];
            lowerCount = count;
        }
        return bounds[bounds.length - 1];
    }

    /** The ready clips' time-to-ready histogram, all kinds together: [cumulative counts, upper bounds in seconds]. */
    private double[][] readyBuckets() {
        double[] counts = new double[0];
        double[] bounds = new double[0];
        for (Meter meter : registry.find("convoy.time.to.ready").tag("outcome", "ready").meters()) {
            if (!(meter instanceof Timer timer)) {
                continue;
            }
            CountAtBucket[] histogram = timer.takeSnapshot().histogramCounts();
            if (counts.length == 0) {
                counts = new double[histogram.length];
                bounds = new double[histogram.length];
                for (int i = 0; i < histogram.length; i++) {
                    bounds[i] = histogram[i].bucket(TimeUnit.SECONDS);
                }
            }
            for (int i = 0; i < Math.min(counts.length, histogram.length); i++) {
                counts[i] += histogram[i].count();
            }
        }
        return new double[][] {counts, bounds};
    }

    private double timerCount(String outcome) {
        return registry.find("convoy.time.to.ready").tag("outcome", outcome).timers().stream()
                .mapToDouble(Timer::count).sum();
    }

    private double counter(String name, String tag, String value) {
        return (tag == null ? registry.find(name) : registry.find(name).tag(tag, value)).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private double gauge(String name) {
        return registry.find(name).gauges().stream().mapToDouble(Gauge::value).filter(Double::isFinite).sum();
    }

    /** The meters of {@code name} summed by the value of {@code tag} (gauges or counters alike). */
    private JsonObject byTag(String name, String tag) {
        Map<String, Double> sums = new TreeMap<>();
        for (Meter meter : registry.find(name).meters()) {
            String value = meter.getId().getTag(tag);
            double reading = meter instanceof Gauge g ? g.value() : meter instanceof Counter c ? c.count() : Double.NaN;
            if (value != null && Double.isFinite(reading)) {
                sums.merge(value, reading, Double::sum);
            }
        }
        JsonObject json = new JsonObject();
        sums.forEach(json::put);
        return json;
    }
}
