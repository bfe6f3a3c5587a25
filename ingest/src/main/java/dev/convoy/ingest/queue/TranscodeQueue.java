package dev.convoy.ingest.queue;

import dev.convoy.ingest.clip.ClipKind;
import dev.convoy.transcoder.TranscodeJob;
import dev.convoy.transcoder.TranscodeResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.EnumMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Orders transcodes in front of the pool: incident clips before manual ones before drives,
 * first come first served within a kind. Its depth is what admission control watches.
 */
public final class TranscodeQueue {

    private record Waiting(ClipKind kind, long seq, TranscodeJob job, Promise<TranscodeResult> promise) {
    }

    private final TranscodePool pool;
    private final int limit;
    private final PriorityQueue<Waiting> waiting = new PriorityQueue<>((a, b) -> a.kind() != b.kind()
            ? Integer.compare(a.kind().ordinal(), b.kind().ordinal())
            : Long.compare(a.seq(), b.seq()));
    private final Map<ClipKind, Integer> depthByKind = new EnumMap<>(ClipKind.class);
    private final Map<ClipKind, Timer> timers = new EnumMap<>(ClipKind.class);
    private final Counter frames;
    private long seq;
    private int running;

    public TranscodeQueue(TranscodePool pool, int limit, MeterRegistry registry) {
        this.pool = pool;
        this.limit = limit;
        for (ClipKind kind : ClipKind.values()) {
            depthByKind.put(kind, 0);
            Gauge.builder("convoy.transcode.queue.depth", this, q -> q.depth(kind))
                    .description("Clips waiting for a transcode")
                    .tag("kind", kind.wireName())
                    .register(registry);
            timers.put(kind, Timer.builder("convoy.transcode")
                    .description("Wall time of one single-pass transcode")
                    .tag("kind", kind.wireName())
                    .publishPercentileHistogram()
                    .register(registry));
        }
        Gauge.builder("convoy.transcode.running", this, q -> q.running()).register(registry);
        this.frames = Counter.builder("convoy.transcode.frames").description("Video frames decoded").register(registry);
    }

    public Future<TranscodeResult> submit(ClipKind kind, TranscodeJob job) {
        Promise<TranscodeResult> promise = Promise.promise();
        synchronized (this) {
            waiting.add(new Waiting(kind, seq++, job, promise));
            depthByKind.merge(kind, 1, Integer::sum);
        }
        dispatch();
        return promise.future();
    }

    /** Clips waiting (not yet running). */
    public synchronized int depth() {
        return waiting.size();
    }

    public synchronized int depth(ClipKind kind) {
        return depthByKind.get(kind);
    }

    public synchronized int running() {
        return running;
    }

    /** True when the backlog has reached its bound: new uploads should wait. */
    public synchronized boolean isFull() {
        return waiting.size() >= limit;
    }

    private void dispatch() {
        while (true) {
            Waiting next;
            synchronized (this) {
                if (running >= pool.size() || waiting.isEmpty()) {
                    return;
                }
                next = waiting.poll();
                depthByKind.merge(next.kind(), -1, Integer::sum);
                running++;
            }
            long start = System.nanoTime();
            pool.transcode(next.job()).onComplete(ar -> {
                synchronized (this) {
                    running--;
                }
                if (ar.succeeded()) {
                    timers.get(next.kind()).record(java.time.Duration.ofNanos(System.nanoTime() - start));
                    frames.increment(ar.result().framesDecoded());
                }
                next.promise().handle(ar);
                dispatch();
            });
        }
    }
}
