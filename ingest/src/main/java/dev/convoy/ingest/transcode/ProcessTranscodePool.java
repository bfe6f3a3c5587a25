package dev.convoy.ingest.transcode;

import dev.convoy.transcoder.TranscodeException;
import dev.convoy.transcoder.TranscodeJob;
import dev.convoy.transcoder.TranscodeResult;
import dev.convoy.transcoder.worker.TranscodeWorker;
import dev.convoy.transcoder.worker.WorkerProtocol;
import dev.convoy.transcoder.worker.WorkerProtocol.KillReason;
import dev.convoy.transcoder.worker.WorkerProtocol.Verb;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs transcodes in long-lived worker processes ({@link TranscodeWorker}), so that a file
 * that crashes FFmpeg's native code takes down a worker, never the service. Workers speak
 * {@link WorkerProtocol} over stdin/stdout and send a heartbeat every second.
 *
 * <ul>
 *   <li>A job that runs past its deadline (a base plus a factor of the clip's duration, known
 *       once the worker has probed it) or whose worker stops sending heartbeats is killed and
 *       fails with {@code transcode_timeout}.</li>
 *   <li>A worker that dies fails its job once: the job is retried on a fresh worker, and if that
 *       one dies too the clip fails with {@code transcoder_crashed}. Dead workers are replaced.</li>
 *   <li>A job over a clip still arriving ({@link Arrival}) hears of every byte its upload
 *       acknowledges; it has no deadline until the upload completes, then its base plus the
 *       factor of the longer of the time it has run and the file's duration at 1 Mbit/s. Its
 *       worker gives it up when the upload stalls ({@code stallAfter}). A worker that dies under
 *       such a job fails it with {@code pass_interrupted}: the clip is transcoded whole once complete.</li>
 * </ul>
 *
 * <p>All bookkeeping runs on one Vert.x context; each worker's stdout is read by a thread of its own.
 */
public final class ProcessTranscodePool implements TranscodePool {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessTranscodePool.class);

    /** How workers are started and watched. */
    public record Options(int workers, Duration deadlineBase, double deadlineFactor, Duration heartbeatTimeout,
                          List<String> jvmOptions, Duration stallAfter) {
        public static Options defaults(int workers) {
            return new Options(workers, Duration.ofSeconds(60), 4.0, Duration.ofSeconds(15),
                    List.of("-Xmx256m", "-XX:MaxDirectMemorySize=128m", "-XX:+UseSerialGC"), Duration.ofSeconds(10));
        }

        /** These options with a job over a clip still arriving giving up its worker after {@code wait} with no new bytes. */
        public Options withStallAfter(Duration wait) {
            return new Options(workers, deadlineBase, deadlineFactor, heartbeatTimeout, jvmOptions, wait);
        }
    }

    private final Vertx vertx;
    private final Context context;
    private final Options options;
    private final Deque<Worker> idle = new ArrayDeque<>();
    private final Deque<Pending> pending = new ArrayDeque<>();
    private final List<Worker> all = new ArrayList<>();
    private final AtomicLong jobIds = new AtomicLong();
    private final Counter restarts;
    private final long watchdog;
    private volatile boolean closed;

    public ProcessTranscodePool(Vertx vertx, Options options, MeterRegistry registry) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.options = options;
        this.restarts = Counter.builder("convoy.transcode.worker.restarts")
                .description("Transcode worker processes that died or were killed and replaced").register(registry);
        // Derived from the worker list: a worker not idle is busy (a starting one already has its job).
        Gauge.builder("convoy.transcode.workers", this, p -> p.count(w -> !p.idle.contains(w))).tag("state", "busy")
                .description("Transcode worker processes by state").register(registry);
        Gauge.builder("convoy.transcode.workers", this, p -> p.count(p.idle::contains)).tag("state", "idle")
                .description("Transcode worker processes by state").register(registry);
        Gauge.builder("convoy.transcode.workers", this, p -> p.count(w -> !w.ready)).tag("state", "starting")
                .description("Transcode worker processes by state").register(registry);
        this.watchdog = vertx.setPeriodic(500, id -> context.runOnContext(v -> watch()));
    }

    @Override
    public Future<TranscodeResult> transcode(TranscodeJob job) {
        return transcode(job, null);
    }

    @Override
    public Future<TranscodeResult> transcode(TranscodeJob job, Arrival arriving) {
        Promise<TranscodeResult> result = Promise.promise();
        context.runOnContext(v -> attempt(job, 1, result, arriving));
        return result.future();
    }

    @Override
    public int size() {
        return options.workers();
    }

    private synchronized int count(Predicate<Worker> which) {
        return (int) all.stream().filter(which).count();
    }

    /** A job waiting for a worker: more were submitted than there are workers. */
    private record Pending(TranscodeJob job, int attempt, Promise<TranscodeResult> result, Arrival arriving) {
    }

    private void attempt(TranscodeJob job, int attempt, Promise<TranscodeResult> result, Arrival arriving) {
        if (arriving != null && arriving.abandoned()) {
            // Its upload went away while it waited for a worker: there is nothing left to read.
            result.fail(Arrival.gone());
            next();
            return;
        }
        Worker worker;
        synchronized (this) {
            worker = idle.pollFirst();
            if (worker == null && all.size() >= options.workers()) {
                // Retries go first: they have waited once already.
                if (attempt > 1) {
                    pending.addFirst(new Pending(job, attempt, result, arriving));
                } else {
                    pending.addLast(new Pending(job, attempt, result, arriving));
                }
                return;
            }
        }
        if (worker == null) {
            worker = start();
        }
        if (worker == null) {
            result.fail(new TranscodeException("transcoder_unavailable", "No transcode worker process could be started."));
            return;
        }
        Worker w = worker;
        String id = Long.toString(jobIds.incrementAndGet());
        w.assign(id, job, arriving).onComplete(ar -> {
            if (ar.succeeded()) {
                release(w);
                result.complete(ar.result());
            } else if (ar.cause() instanceof TranscodeException refusal) {
                if (w.alive()) {
                    release(w);
                }
                result.fail(refusal);
            } else if (attempt == 1 && arriving != null && !arriving.ended()) {
                // The clip is transcoded whole once complete, where the usual retry applies; its slot is not held meanwhile.
                LOG.warn("event=transcode_interrupted job={} source={} cause=\"{}\"", id, job.source(), ar.cause().getMessage());
                result.fail(new TranscodeException(TranscodeException.INTERRUPTED,
                        "The transcoder died while the clip arrived; it is transcoded whole once complete.", ar.cause()));
            } else if (attempt == 1) {
                LOG.warn("event=transcode_retry job={} source={} cause=\"{}\"", id, job.source(), ar.cause().getMessage());
                attempt(job, 2, result, arriving);
            } else {
                result.fail(new TranscodeException("transcoder_crashed", "The transcoder crashed on this clip twice ("
                        + ar.cause().getMessage() + "); the original is kept.", ar.cause()));
            }
        });
    }

    private void release(Worker worker) {
        synchronized (this) {
            if (closed) {
                worker.quit();
                return;
            }
            idle.addFirst(worker);
        }
        next();
    }

    /** A worker came free or went away: the oldest waiting job takes its place. */
    private void next() {
        Pending p;
        synchronized (this) {
            p = pending.pollFirst();
        }
        if (p != null) {
            attempt(p.job(), p.attempt(), p.result(), p.arriving());
        }
    }

    /** Starts a worker process for a job it is about to be given. */
    private Worker start() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(options.jvmOptions());
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
        if (cache != null) {
            command.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
        }
        // A native crash writes its report to stderr and the temp dir, never onto the protocol or into the working dir.
        command.add("-XX:+DisplayVMOutputToStderr");
        command.add("-XX:ErrorFile=" + Path.of(System.getProperty("java.io.tmpdir"), "convoy-worker-hs_err_%p.log"));
        if (Boolean.getBoolean("convoy.worker.testHooks")) {
            command.add("-Dconvoy.worker.testHooks=true");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), TranscodeWorker.class.getName()));
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            // The server's JVM options (a container's JAVA_TOOL_OPTIONS) are not the worker's, which has its own above;
            // left in, each worker would also say "Picked up JAVA_TOOL_OPTIONS" on stderr.
            builder.environment().remove("JAVA_TOOL_OPTIONS");
            Process process = builder.start();
            Worker worker = new Worker(process);
            synchronized (this) {
                all.add(worker);
            }
            worker.listen();
            LOG.info("event=transcode_worker_started pid={}", process.pid());
            return worker;
        } catch (IOException e) {
            LOG.error("event=transcode_worker_start_failed cause=\"{}\"", e.getMessage());
            return null;
        }
    }

    /** Kills jobs past their deadline and workers that went quiet. */
    private void watch() {
        long now = System.nanoTime();
        List<Worker> snapshot;
        synchronized (this) {
            snapshot = List.copyOf(all);
        }
        for (Worker w : snapshot) {
            w.check(now);
        }
    }

    @Override
    public void close() {
        vertx.cancelTimer(watchdog);
        List<Worker> snapshot;
        synchronized (this) {
            closed = true;
            snapshot = List.copyOf(all);
            idle.clear();
        }
        for (Worker w : snapshot) {
            w.quit();
        }
    }

    /** One worker process; its state is touched on the pool's context, its stdout read by its own thread. */
    /** Worker stderr lines logged per worker and minute; the rest are counted, not logged. */
    private static final int STDERR_LINES_PER_MINUTE = 50;

    private final class Worker {
        private final Process process;
        private final OutputStream stdin;
        private volatile long lastHeard = System.nanoTime();
        private String jobId;
        private Promise<TranscodeResult> current;
        private long deadline = Long.MAX_VALUE;
        /** The upload of the current job while it still arrives; null for a complete file or once it completed. */
        private Arrival arriving;
        /** The upload of the current job, when it was still arriving as the job started: it hears of early pictures. */
        private Arrival stillsTo;
        private long assignedAt;
        private volatile boolean ready;
        private boolean dead;
        private KillReason killedFor;

        Worker(Process process) {
            this.process = process;
            this.stdin = process.getOutputStream();
        }

        boolean alive() {
            return !dead;
        }

        void listen() {
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        lastHeard = System.nanoTime();
                        WorkerProtocol.Message m = WorkerProtocol.parse(line);
                        if (m == null) {
                            LOG.warn("event=transcode_worker_stray_output pid={} line=\"{}\"", process.pid(), line);
                        } else if (m.verb() != Verb.HEARTBEAT) {
                            context.runOnContext(v -> onMessage(m));
                        }
                    }
                } catch (IOException e) {
                    // The process went away: handled below, like an end of stream.
                }
                int exit;
                try {
                    exit = process.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    exit = -1;
                }
                int code = exit;
                try {
                    context.runOnContext(v -> onExit(code));
                } catch (RejectedExecutionException stopping) {
                    // Vert.x is shutting down: no one is left to tell.
                }
            }, "convoy-transcode-worker-" + process.pid());
            reader.setDaemon(true);
            reader.start();
            Thread errors = new Thread(this::logStderr, "convoy-transcode-worker-stderr-" + process.pid());
            errors.setDaemon(true);
            errors.start();
        }

        /**
         * FFmpeg's messages and any crash report of the worker, as log lines of the service (so they
         * land where its logs go, with the worker's pid); at most {@link #STDERR_LINES_PER_MINUTE} a
         * minute, since a corrupt clip can make FFmpeg complain about every frame.
         */
        private void logStderr() {
            try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                long windowStart = System.nanoTime();
                int inWindow = 0;
                int dropped = 0;
                String line;
                while ((line = err.readLine()) != null) {
                    if (System.nanoTime() - windowStart > TimeUnit.MINUTES.toNanos(1)) {
                        if (dropped > 0) {
                            LOG.warn("event=transcode_worker_stderr_dropped pid={} lines={}", process.pid(), dropped);
                        }
                        windowStart = System.nanoTime();
                        inWindow = 0;
                        dropped = 0;
                    }
                    if (inWindow++ < STDERR_LINES_PER_MINUTE) {
                        LOG.warn("event=transcode_worker_stderr pid={} line=\"{}\"", process.pid(), line);
                    } else {
                        dropped++;
                    }
                }
            } catch (IOException e) {
                // The process went away; its exit is handled by the protocol reader.
            }
        }

        Future<TranscodeResult> assign(String id, TranscodeJob job, Arrival upload) {
            jobId = id;
            current = Promise.promise();
            assignedAt = System.nanoTime();
            stillsTo = null;
            if (upload != null && upload.abandoned()) {
                // Gone between the pool's look and now: the job ends as it would have, and the worker is free.
                Promise<TranscodeResult> gone = current;
                current = null;
                jobId = null;
                deadline = Long.MAX_VALUE;
                gone.fail(Arrival.gone());
                return gone.future();
            }
            if (upload != null && !upload.ended()) {
                // No deadline while the upload arrives (its pace is the camera's); a stall gives the worker up instead.
                arriving = upload;
                stillsTo = upload;
                deadline = Long.MAX_VALUE;
                write(WorkerProtocol.job(id, job, new WorkerProtocol.Arriving(upload.acknowledged(), upload.expected(),
                        options.stallAfter().toMillis())));
                upload.watch(() -> context.runOnContext(v -> tellMore(id)));
                // A move made before the watch was set is told now.
                tellMore(id);
            } else {
                deadline = System.nanoTime() + options.deadlineBase().toNanos();
                write(WorkerProtocol.job(id, job));
            }
            return current.future();
        }

        /** Tells the worker how far the upload of job {@code id} has come; once it completed, the job gets its deadline. */
        private void tellMore(String id) {
            Arrival upload = arriving;
            if (upload == null || !id.equals(jobId)) {
                return;
            }
            if (upload.abandoned()) {
                write(WorkerProtocol.abandoned(id));
                unwatch();
                // The pass stops at its next read; a worker stuck elsewhere is stopped all the same.
                deadline = System.nanoTime() + options.deadlineBase().toNanos();
                return;
            }
            boolean complete = upload.complete();
            write(WorkerProtocol.more(id, upload.acknowledged(), complete));
            if (complete) {
                deadline = System.nanoTime() + completedDeadlineNanos(System.nanoTime() - assignedAt, upload.acknowledged());
                unwatch();
            }
        }

        /**
         * The time left to a pass whose upload just completed: its clip's duration is not known,
         * so the base plus the factor of the longer of the time it has run and the duration the
         * file would have at 1 Mbit/s (below a dash cam's bitrate, so long enough for what is left to decode).
         */
        private long completedDeadlineNanos(long ranNanos, long bytes) {
            long atOneMbitNanos = bytes * 8_000L;
            return options.deadlineBase().toNanos() + (long) (Math.max(ranNanos, atOneMbitNanos) * options.deadlineFactor());
        }

        private void unwatch() {
            if (arriving != null) {
                arriving.watch(() -> { });
                arriving = null;
            }
        }

        private void write(String line) {
            try {
                stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                stdin.flush();
            } catch (IOException e) {
                // A worker that cannot be written to is dead; its exit ends the job.
                kill(KillReason.UNWRITABLE, "stdin closed: " + e.getMessage());
            }
        }

        private void onMessage(WorkerProtocol.Message m) {
            switch (m.verb()) {
                case READY -> ready = true;
                case PROBED -> {
                    // A clip that was still arriving as its pass started gets its deadline when its upload completes.
                    if (m.get("id").equals(jobId) && stillsTo == null) {
                        long ms = options.deadlineBase().toMillis() + (long) (m.getLong("durationMs") * options.deadlineFactor());
                        deadline = System.nanoTime() + ms * 1_000_000L;
                    }
                }
                case STILLS -> {
                    if (m.get("id").equals(jobId) && stillsTo != null) {
                        stillsTo.stillsMade(WorkerProtocol.renditions(m));
                    }
                }
                case DONE -> finish(m, WorkerProtocol.result(m), null);
                case FAILED -> finish(m, null, WorkerProtocol.failure(m));
                default -> LOG.warn("event=transcode_worker_unknown_message pid={} verb={}", process.pid(), m.verb().wireName());
            }
        }

        private void finish(WorkerProtocol.Message m, TranscodeResult result, TranscodeException failure) {
            if (current == null || !m.get("id").equals(jobId)) {
                return;
            }
            Promise<TranscodeResult> p = current;
            current = null;
            jobId = null;
            deadline = Long.MAX_VALUE;
            unwatch();
            stillsTo = null;
            if (failure != null) {
                p.fail(failure);
            } else {
                p.complete(result);
            }
        }

        void check(long now) {
            if (dead) {
                return;
            }
            if (current != null && now > deadline) {
                kill(KillReason.DEADLINE, "job past its deadline");
            } else if (now - lastHeard > options.heartbeatTimeout().toNanos()) {
                kill(KillReason.SILENT, "no heartbeat for " + options.heartbeatTimeout().toSeconds() + " s");
            }
        }

        private void kill(KillReason reason, String why) {
            killedFor = reason;
            LOG.warn("event=transcode_worker_killed pid={} job={} reason={} why=\"{}\"", process.pid(), jobId, reason.logName(), why);
            process.destroyForcibly();
        }

        private void onExit(int code) {
            if (dead) {
                return;
            }
            dead = true;
            synchronized (ProcessTranscodePool.this) {
                all.remove(this);
                idle.remove(this);
            }
            if (closed) {
                return;
            }
            restarts.increment();
            LOG.warn("event=transcode_worker_died pid={} exit={} job={}", process.pid(), code, jobId);
            Promise<TranscodeResult> p = current;
            current = null;
            unwatch();
            stillsTo = null;
            if (p != null) {
                if (killedFor == KillReason.DEADLINE) {
                    p.fail(new TranscodeException("transcode_timeout", "Transcoding this clip ran past its deadline and was stopped."));
                } else {
                    p.fail(new IOException("worker process " + process.pid() + " exited with " + code));
                }
            }
            next();
        }

        void quit() {
            try {
                stdin.write((WorkerProtocol.quit() + "\n").getBytes(StandardCharsets.UTF_8));
                stdin.flush();
            } catch (IOException ignored) {
                // Already gone.
            }
            process.destroy();
        }
    }
}
