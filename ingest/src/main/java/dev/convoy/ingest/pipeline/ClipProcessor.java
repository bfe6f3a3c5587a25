package dev.convoy.ingest.pipeline;

import dev.convoy.ingest.clip.ArrivingClip;
import dev.convoy.ingest.clip.ClipKind;
import dev.convoy.ingest.clip.ClipMetadata;
import dev.convoy.ingest.clip.ClipOutcome;
import dev.convoy.ingest.clip.ClipStatus;
import dev.convoy.ingest.clip.CompletedUpload;
import dev.convoy.ingest.storage.ClipCommitter;
import dev.convoy.ingest.transcode.TranscodeQueue;
import dev.convoy.ingest.upload.ClipListener;
import dev.convoy.transcoder.RenditionSpec;
import dev.convoy.transcoder.TranscodeException;
import dev.convoy.transcoder.TranscodeJob;
import dev.convoy.transcoder.TranscodeResult;
import dev.convoy.transcoder.TranscodeResult.Rendition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a completed upload down the rest of the path: queue, one-pass transcode, commit.
 * A clip the transcoder refuses is still committed, original only, with the reason. A clip
 * whose container reads from the front has its pass started while it still arrives
 * ({@link EarlyStarts}); its last byte then finds the pass under way.
 */
public final class ClipProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(ClipProcessor.class);
    /** Failures of a pass started while its clip arrived after which the whole file is tried once more. */
    private static final Set<String> WHOLE_AGAIN = Set.of("transcode_timeout", "transcoder_error");

    private final Vertx vertx;
    private final TranscodeQueue queue;
    private final ClipCommitter committer;
    private final Path workDir;
    private final RenditionSpec spec;

    private final MeterRegistry registry;
    /** Passes started before their clip's last byte; null when clips are transcoded only once complete. */
    private final EarlyStarts early;
    /** Clips still on their way whose early pictures are being stored: each set after the one before. */
    private final Map<String, Future<Void>> pictures = new ConcurrentHashMap<>();
    /** The object keys of the pictures stored early, by clip, until its commit takes them over. */
    private final Map<String, Set<String>> pictureKeys = new ConcurrentHashMap<>();
    private volatile BiConsumer<String, Map<String, String>> pictured = (id, keys) -> { };

    /** Jobs waiting or being transcoded, with their upload's id; a job leaves once its commit starts. */
    private final Map<TranscodeJob, String> transcoding = new ConcurrentHashMap<>();
    /** Clips whose commit is under way. */
    private final AtomicInteger committing = new AtomicInteger();
    /** Set once a stopping node has taken its clips back: no transcode ending now is committed. */
    private volatile boolean stopping;

    /** With {@code whileArriving}, clips that can be read from the front are transcoded while they arrive. */
    public ClipProcessor(Vertx vertx, TranscodeQueue queue, ClipCommitter committer, Path workDir, RenditionSpec spec,
                         boolean whileArriving, MeterRegistry registry) {
        this.vertx = vertx;
        this.registry = registry;
        this.queue = queue;
        this.committer = committer;
        this.workDir = workDir;
        this.spec = spec;
        for (ClipKind kind : ClipKind.values()) {
            // Served from the start, so that dashboards find the series before the first picture.
            timeToPoster(kind);
        }
        this.early = whileArriving
                ? new EarlyStarts(vertx, queue, clip -> job(clip.id(), clip.metadata(), clip.spool()), this::show, registry) : null;
    }

    private Timer timeToPoster(ClipKind kind) {
        return Timer.builder("convoy.time.to.poster")
                .description("From a clip's upload created to its first picture stored, for clips transcoded while they arrive")
                .tag("kind", kind.wireName())
                .publishPercentileHistogram()
                .register(registry);
    }

    /** {@code listener} hears of each clip still on its way whose pictures were stored: its id and their object keys by role. */
    public void whenPictured(BiConsumer<String, Map<String, String>> listener) {
        this.pictured = listener;
    }

    /**
     * Stores the pictures a pass made before its clip's last byte, one set after another, where
     * the committed clip's go; the commit waits for them, so its own pictures land last.
     */
    private void show(ArrivingClip clip, List<Rendition> made) {
        Context ctx = vertx.getOrCreateContext();
        pictures.compute(clip.id(), (key, before) -> (before == null ? Future.<Void>succeededFuture() : before)
                .compose(v -> committer.putPictures(ctx, clip.owner(), clip.id(), clip.metadata().kind(), made))
                .onSuccess(keys -> {
                    Set<String> stored = pictureKeys.computeIfAbsent(clip.id(), k -> ConcurrentHashMap.newKeySet());
                    if (stored.isEmpty()) {
                        timeToPoster(clip.metadata().kind()).record(Duration.between(clip.createdAt(), Instant.now()));
                    }
                    stored.addAll(keys.values());
                    pictured.accept(clip.id(), keys);
                })
                .<Void>mapEmpty()
                .recover(err -> {
                    LOG.warn("event=pictures_not_stored upload={} cause=\"{}\"", clip.id(), err.toString());
                    return Future.succeededFuture();
                }));
    }

    /** Once the pictures stored early are in, so that the commit's own land after them (or, for a clip gone, are removed). */
    private Future<Set<String>> picturesStored(String id) {
        Future<Void> storing = pictures.remove(id);
        return (storing == null ? Future.<Void>succeededFuture() : storing).map(v -> {
            Set<String> keys = pictureKeys.remove(id);
            return keys == null ? Set.of() : keys;
        });
    }

    /** A clip's job: its renditions into the work dir, the poster at its event time or mid-clip. */
    private TranscodeJob job(String id, ClipMetadata metadata, Path spool) {
        long posterAt = metadata.eventOffsetMs() >= 0 ? metadata.eventOffsetMs() : TranscodeJob.POSTER_MID_CLIP;
        return new TranscodeJob(spool, workDir.resolve(id), posterAt, spec);
    }

    /** Bytes of a clip not yet complete were acknowledged: its original goes up in parts, and its pass may start, or hear of them. */
    public void arriving(ArrivingClip clip) {
        if (stopping) {
            return;
        }
        committer.arriving(clip);
        if (early != null) {
            early.arrived(clip);
        }
    }

    /** A clip's upload went away before it completed: the parts of its original are aborted, its pass stops, its outputs go. */
    public void abandoned(String id) {
        Future<Void> aborted = committer.abandoned(id);
        if (early != null) {
            Context ctx = vertx.getOrCreateContext();
            // The pass is told at once, not after the original's parts are aborted.
            Future.all(aborted, early.abandoned(id))
                    .compose(v -> picturesStored(id))
                    // Its pictures stored so far go with it: no clip will ever list them.
                    .compose(keys -> committer.removePictures(ctx, keys))
                    .onComplete(ar -> vertx.fileSystem().deleteRecursive(workDir.resolve(id).toString()).otherwiseEmpty());
        }
    }

    /** Commits a clip that could not be made ready: original only, with the reason. */
    private Future<ClipOutcome> failed(Context ctx, CompletedUpload upload, TranscodeException failure) {
        LOG.warn("event=transcode_failed upload={} reason={} message=\"{}\"", upload.id(), failure.reason(), failure.getMessage());
        Counter.builder("convoy.transcode.failures").description("Clips that could not be transcoded, by reason")
                .tag("reason", failure.reason()).register(registry).increment();
        return committer.commitFailed(ctx, upload, failure).map(m -> new ClipOutcome(ClipStatus.FAILED, failure.reason()));
    }

    /**
     * A stopping node hands its clips on: every clip waiting for a worker or being transcoded is
     * taken back (the workers stop, nothing more starts, and no transcode that ends now is
     * committed), while commits already under way get up to {@code commitsWait} to finish.
     * Completes with the ids of the clips taken back; their {@link #process} futures fail with
     * {@link ClipListener.Withdrawn}, or never complete (those whose worker was stopped).
     */
    public Future<List<String>> stopTranscoding(Duration commitsWait) {
        List<String> taken;
        synchronized (this) {
            stopping = true;
            taken = List.copyOf(transcoding.values());
        }
        queue.stop();
        Promise<List<String>> done = Promise.promise();
        long deadline = System.nanoTime() + commitsWait.toNanos();
        vertx.setPeriodic(0, 50, timer -> {
            if (committing.get() == 0 || System.nanoTime() > deadline) {
                vertx.cancelTimer(timer);
                done.complete(taken);
            }
        });
        return done.future();
    }

    /**
     * Takes a clip whose last byte has just arrived (or, after a restart, one that was not
     * committed) the rest of its way; its time to ready is measured from here.
     */
    public Future<ClipOutcome> process(CompletedUpload upload) {
        long handedOn = System.nanoTime();
        Context ctx = vertx.getOrCreateContext();
        TranscodeJob job = job(upload.id(), upload.metadata(), upload.spool());
        Path out = job.outputDir();
        transcoding.put(job, upload.id());
        Future<TranscodeResult> started = early == null ? null : early.takeOver(upload.id(), upload.length());
        Future<TranscodeResult> transcoded;
        if (started == null) {
            LOG.info("event=transcode_queued upload={} kind={} depth={}", upload.id(), upload.metadata().kind().wireName(), queue.depth());
            transcoded = queue.submit(upload.metadata().kind(), upload.owner(), upload.length(), job);
        } else {
            // Its pass started while it arrived. One that gave up its worker (the upload stalled, the worker died) or
            // ran out of time is run again, whole: the clip has not failed until a pass over the whole file says so.
            transcoded = started.recover(err -> err instanceof TranscodeException te && (te.isYield() || WHOLE_AGAIN.contains(te.reason()))
                    ? queue.submit(upload.metadata().kind(), upload.owner(), 0, job) : Future.failedFuture(err));
        }
        return transcoded
                .transform(ar -> {
                    synchronized (this) {
                        if (stopping) {
                            // Taken back: it stays among those handed on, and nothing of it is committed here.
                            return Future.failedFuture(new ClipListener.Withdrawn());
                        }
                        transcoding.remove(job);
                        committing.incrementAndGet();
                    }
                    return picturesStored(upload.id()).compose(v -> outcome(ctx, upload, ar)).andThen(x -> committing.decrementAndGet());
                })
                .andThen(ar -> {
                    if (ar.succeeded()) {
                        Timer.builder("convoy.time.to.ready")
                                .description("From a clip's last byte to its manifest written (ready, or failed with a reason)")
                                .tag("kind", upload.metadata().kind().wireName())
                                .tag("outcome", ar.result().status().wireName())
                                .publishPercentileHistogram()
                    // Buckets past Micrometer's default 30 s: a backlog or a long drive takes minutes.
                    .maximumExpectedValue(Duration.ofHours(2))
                                .register(registry).record(Duration.ofNanos(System.nanoTime() - handedOn));
                    }
                })
                .andThen(ar -> vertx.fileSystem().deleteRecursive(out.toString()).otherwiseEmpty());
    }

    /** The clip's outcome once its transcode ended: its renditions committed, or the reason it failed. */
    private Future<ClipOutcome> outcome(Context ctx, CompletedUpload upload, AsyncResult<TranscodeResult> ar) {
        if (ar.succeeded()) {
            TranscodeResult r = ar.result();
            LOG.info("event=transcoded upload={} frames={} wall_ms={} cpu_ms={} encoder={}",
                    upload.id(), r.framesDecoded(), r.wallMs(), r.cpuMs(), r.videoEncoder());
            // A commit that fails for any reason but the store being away is tried once, then
            // the clip is kept original-only: it never stays processing for ever.
            return committer.commitReady(ctx, upload, r).map(m -> new ClipOutcome(ClipStatus.READY, null))
                    .recover(err -> failed(ctx, upload, new TranscodeException("commit_failed",
                            "The clip's renditions could not be committed: " + err, err)));
        }
        return failed(ctx, upload, ar.cause() instanceof TranscodeException te ? te
                : new TranscodeException("transcoder_error", "The transcoder failed: " + ar.cause(), ar.cause()));
    }
}
