package dev.convoy.ingest.transcode;

import dev.convoy.ingest.clip.ClipKind;
import dev.convoy.transcoder.TranscodeJob;
import dev.convoy.transcoder.TranscodeResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Orders transcodes in front of the pool: incident clips before manual ones before drives.
 * Within a kind, the owner who uploaded least recently goes first (bytes submitted, decaying
 * with a half-life of {@link #HALF_LIFE}), then arrival order: a fleet sending a thousand
 * drives does not starve one owner's single clip. Its depth is what admission control watches.
 *
 * <p>A job's codec threads ({@code spec().threads()}) are what a clip transcoded alone gets.
 * Clips transcoded together share them: a job that starts while others run or wait gets its
 * share, at least one thread. One long clip gets every core; many small clips keep every core
 * busy, one worker each, where one clip's pass alone would not (a small clip's encoder and
 * muxer barely use a second thread). The share is decided as a job starts and kept to its end.
 *
 * <p>A pass over a clip still arriving holds its worker at the upload's pace: within a kind it
 * goes after complete clips, such passes hold all workers but one at most, and they are not
 * backlog (neither {@link #depth()} nor {@link #isFull()} counts them until their upload completes).
 */
public final class TranscodeQueue {

    /** How fast an owner's recent volume is forgiven. */
    static final Duration HALF_LIFE = Duration.ofMinutes(10);

    /** A queued job; {@code readyAtNanos} is when it could first run whole: its queueing, or its upload's end. */
    private record Waiting(ClipKind kind, String owner, long seq, AtomicLong readyAtNanos, TranscodeJob job, Arrival arriving,
                           Promise<TranscodeResult> promise) {

        /** A clip whose upload still arrives: not backlog yet, and it would hold a worker at its upload's pace. */
        boolean arrivingNow() {
            return arriving != null && !arriving.ended();
        }
    }

    /** An owner's recent bytes, decayed to {@code atNanos}. */
    private static final class Volume {
        double bytes;
        long atNanos;
    }

    private final TranscodePool pool;
    private final int limit;
    private final List<Waiting> waiting = new ArrayList<>();
    private final Map<String, Volume> recent = new HashMap<>();
    private final LongSupplier clock;
    private final Map<ClipKind, Timer> timers = new EnumMap<>(ClipKind.class);
    private final Counter frames;
    private long seq;
    private int running;
    /** Of those running, passes over clips that were still arriving as they started. */
    private int runningArriving;
    /** Set once the backlog was withdrawn: nothing more starts. */
    private boolean closed;

    public TranscodeQueue(TranscodePool pool, int limit, MeterRegistry registry) {
        this(pool, limit, registry, System::nanoTime);
    }

    TranscodeQueue(TranscodePool pool, int limit, MeterRegistry registry, LongSupplier clock) {
        this.pool = pool;
        this.limit = limit;
        this.clock = clock;
        for (ClipKind kind : ClipKind.values()) {
            Gauge.builder("convoy.transcode.queue.depth", this, q -> q.depth(kind))
                    .description("Clips waiting for a transcode")
                    .tag("kind", kind.wireName())
                    .register(registry);
            Gauge.builder("convoy.transcode.queue.oldest", this, q -> q.oldestWaitingSeconds(kind))
                    .description("How long the oldest clip waiting for a transcode has waited (0 when none waits)")
                    .baseUnit("seconds")
                    .tag("kind", kind.wireName())
                    .register(registry);
            timers.put(kind, Timer.builder("convoy.transcode")
                    .description("Wall time of one single-pass transcode")
                    .tag("kind", kind.wireName())
                    .publishPercentileHistogram()
                    // Buckets past Micrometer's default 30 s: a backlog or a long drive takes minutes.
                    .maximumExpectedValue(Duration.ofHours(2))
                    .register(registry));
        }
        Gauge.builder("convoy.transcode.running", this, q -> q.running()).register(registry);
        this.frames = Counter.builder("convoy.transcode.frames").description("Video frames decoded").register(registry);
    }

    /** Queues a clip of {@code bytes} from {@code owner}; the owner's recent volume grows by it. */
    public Future<TranscodeResult> submit(ClipKind kind, String owner, long bytes, TranscodeJob job) {
        return submit(kind, owner, bytes, job, null);
    }

    /**
     * Queues a clip whose upload may still be {@code arriving} (see {@link TranscodePool#transcode(TranscodeJob, Arrival)}):
     * it waits its turn by the same rules as any other.
     */
    public Future<TranscodeResult> submit(ClipKind kind, String owner, long bytes, TranscodeJob job, Arrival arriving) {
        Promise<TranscodeResult> promise = Promise.promise();
        synchronized (this) {
            if (closed) {
                return Future.failedFuture(new Withdrawn());
            }
            volume(owner).bytes += bytes;
            Waiting entry = new Waiting(kind, owner, seq++, new AtomicLong(clock.getAsLong()), job, arriving, promise);
            waiting.add(entry);
            if (arriving != null) {
                arriving.whenEnded().onComplete(v -> ended(entry));
            }
        }
        dispatch();
        return promise.future();
    }

    /**
     * The upload of a job queued while it arrived has ended: complete, it waits as backlog from
     * now on (and may go, if it was held back); gone, it leaves the queue at once.
     */
    private void ended(Waiting entry) {
        boolean gone = entry.arriving().abandoned();
        synchronized (this) {
            if (!waiting.contains(entry)) {
                return;
            }
            entry.readyAtNanos().set(clock.getAsLong());
            if (gone) {
                waiting.remove(entry);
            }
        }
        if (gone) {
            entry.promise().tryFail(Arrival.gone());
        }
        dispatch();
    }

    /** An owner's recent bytes as of {@code now}. */
    private static double decayed(Volume v, long now) {
        return v.atNanos == 0 ? v.bytes : v.bytes * Math.pow(0.5, (double) (now - v.atNanos) / HALF_LIFE.toNanos());
    }

    /** The owner's recent volume, decayed to now. */
    private Volume volume(String owner) {
        long now = clock.getAsLong();
        Volume v = recent.computeIfAbsent(owner, o -> new Volume());
        v.bytes = decayed(v, now);
        v.atNanos = now;
        if (recent.size() > 10_000) {
            // Forget owners whose volume has all but decayed away.
            recent.values().removeIf(x -> x != v && decayed(x, now) < 1);
        }
        return v;
    }

    /**
     * The next clip: the most urgent kind, then a complete clip before one still arriving, then
     * the owner with the least recent volume, then the oldest. Clips still arriving take at most
     * all workers but one ({@link #mostArriving}), so that complete clips always find one; null
     * when only such clips wait and they may take no more.
     */
    private Waiting next() {
        Waiting best = null;
        double bestVolume = 0;
        boolean arrivingAllowed = runningArriving < mostArriving();
        // One reading of the clock for the whole choice: the same owner weighs the same throughout.
        long now = clock.getAsLong();
        for (Waiting w : waiting) {
            if (w.arrivingNow() && !arrivingAllowed) {
                continue;
            }
            Volume v = recent.get(w.owner());
            double volume = v == null ? 0 : decayed(v, now);
            if (best == null || before(w, volume, best, bestVolume)) {
                best = w;
                bestVolume = volume;
            }
        }
        waiting.remove(best);
        return best;
    }

    private static boolean before(Waiting w, double volume, Waiting best, double bestVolume) {
        if (w.kind() != best.kind()) {
            return w.kind().ordinal() < best.kind().ordinal();
        }
        if (w.arrivingNow() != best.arrivingNow()) {
            return !w.arrivingNow();
        }
        return volume < bestVolume || (volume == bestVolume && w.seq() < best.seq());
    }

    /** Workers that passes over clips still arriving may hold at once: all but one (one, with a single worker). */
    private int mostArriving() {
        return Math.max(1, pool.size() - 1);
    }

    /** A waiting job taken back before it started ({@link #withdrawWaiting}). */
    public static final class Withdrawn extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Withdrawn() {
            super("taken back before its transcode started: this node is stopping");
        }
    }

    /**
     * Takes back every job still waiting, and starts no more (a stopping node hands its backlog
     * to others): their futures fail with {@link Withdrawn}. Returns the jobs taken back; those
     * running go on.
     */
    public List<TranscodeJob> withdrawWaiting() {
        List<Waiting> taken;
        synchronized (this) {
            closed = true;
            taken = new ArrayList<>(waiting);
            waiting.clear();
        }
        taken.forEach(w -> w.promise().tryFail(new Withdrawn()));
        return taken.stream().map(Waiting::job).toList();
    }

    /**
     * Stops for good (a stopping node hands its clips on): the jobs waiting are taken back as by
     * {@link #withdrawWaiting}, and the pool's workers stop, so that the futures of the jobs
     * running never complete.
     */
    public void stop() {
        withdrawWaiting();
        pool.close();
    }

    /** Complete clips waiting (not yet running); passes queued over clips still arriving are not backlog. */
    public synchronized int depth() {
        return (int) waiting.stream().filter(w -> !w.arrivingNow()).count();
    }

    public synchronized int depth(ClipKind kind) {
        return (int) waiting.stream().filter(w -> w.kind() == kind && !w.arrivingNow()).count();
    }

    /** Seconds the oldest waiting clip of {@code kind} has waited; 0 when none waits. */
    public synchronized double oldestWaitingSeconds(ClipKind kind) {
        long now = clock.getAsLong();
        long oldest = waiting.stream().filter(w -> w.kind() == kind && !w.arrivingNow()).mapToLong(w -> w.readyAtNanos().get()).min().orElse(now);
        return (now - oldest) / 1e9;
    }

    public synchronized int running() {
        return running;
    }

    /** True when the backlog has reached its bound: new uploads should wait. */
    public synchronized boolean isFull() {
        return depth() >= limit;
    }

    /** A starting job's codec threads: {@code threads} shared by the jobs running (this one among them) and waiting, up to one per worker. */
    private int threadShare(int threads) {
        int together = Math.min(pool.size(), running + waiting.size());
        return Math.max(1, threads / Math.max(1, together));
    }

    private void dispatch() {
        while (true) {
            Waiting next;
            TranscodeJob job;
            boolean started;
            synchronized (this) {
                if (closed || running >= pool.size() || waiting.isEmpty()) {
                    return;
                }
                next = next();
                if (next == null) {
                    return;
                }
                running++;
                started = next.arrivingNow();
                if (started) {
                    runningArriving++;
                }
                job = next.job().withThreads(threadShare(next.job().spec().threads()));
            }
            long start = System.nanoTime();
            boolean whileArriving = started;
            pool.transcode(job, next.arriving()).onComplete(ar -> {
                synchronized (this) {
                    running--;
                    if (whileArriving) {
                        runningArriving--;
                    }
                }
                if (ar.succeeded()) {
                    if (!whileArriving) {
                        // A pass over a clip still arriving runs at its upload's pace: not a transcode's time.
                        timers.get(next.kind()).record(Duration.ofNanos(System.nanoTime() - start));
                    }
                    frames.increment((double) ar.result().framesDecoded());
                }
                next.promise().handle(ar);
                dispatch();
            });
        }
    }
}
