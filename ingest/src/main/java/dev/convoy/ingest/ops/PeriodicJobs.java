package dev.convoy.ingest.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every periodic job of a process, in one owner that starts their timers and cancels them
 * all on {@link #close}. A run that is still going when the next is due is not overlapped:
 * the due run is skipped, so a slow store never piles up sweeps.
 */
public final class PeriodicJobs implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PeriodicJobs.class);

    private final Vertx vertx;
    private final List<Long> timers = new CopyOnWriteArrayList<>();

    public PeriodicJobs(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Runs {@code job} every {@code interval}, the first time after {@code interval}. */
    public void every(String name, Duration interval, Supplier<Future<?>> job) {
        every(name, interval, interval, job);
    }

    /** Runs {@code job} every {@code interval}, the first time after {@code firstDelay}. */
    public void every(String name, Duration firstDelay, Duration interval, Supplier<Future<?>> job) {
        AtomicBoolean running = new AtomicBoolean();
        timers.add(vertx.setPeriodic(Math.max(1, firstDelay.toMillis()), Math.max(1, interval.toMillis()), id -> {
            if (!running.compareAndSet(false, true)) {
                return;
            }
            Future<?> run;
            try {
                run = job.get();
            } catch (RuntimeException e) {
                run = Future.failedFuture(e);
            }
            run.onComplete(ar -> {
                running.set(false);
                if (ar.failed()) {
                    LOG.warn("event=periodic_job_failed job={} cause=\"{}\"", name, ar.cause().toString());
                }
            });
        }));
    }

    @Override
    public void close() {
        timers.forEach(vertx::cancelTimer);
        timers.clear();
    }
}
