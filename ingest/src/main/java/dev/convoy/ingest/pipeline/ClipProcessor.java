package dev.convoy.ingest.pipeline;

import dev.convoy.ingest.clip.ClipOutcome;
import dev.convoy.ingest.clip.ClipStatus;
import dev.convoy.ingest.clip.CompletedUpload;
import dev.convoy.ingest.storage.ClipCommitter;
import dev.convoy.ingest.transcode.TranscodeQueue;
import dev.convoy.ingest.upload.ClipListener;
import dev.convoy.transcoder.RenditionSpec;
import dev.convoy.transcoder.TranscodeException;
import dev.convoy.transcoder.TranscodeJob;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a completed upload down the rest of the path: queue, one-pass transcode, commit.
 * A clip the transcoder refuses is still committed, original only, with the reason.
 */
public final class ClipProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(ClipProcessor.class);

    private final Vertx vertx;
    private final TranscodeQueue queue;
    private final ClipCommitter committer;
    private final Path workDir;
    private final RenditionSpec spec;

    private final MeterRegistry registry;

    /** Jobs queued and not yet started or finished, with their upload's id. */
    private final Map<TranscodeJob, String> waiting = new ConcurrentHashMap<>();

    public ClipProcessor(Vertx vertx, TranscodeQueue queue, ClipCommitter committer, Path workDir, RenditionSpec spec,
                         MeterRegistry registry) {
        this.vertx = vertx;
        this.registry = registry;
        this.queue = queue;
        this.committer = committer;
        this.workDir = workDir;
        this.spec = spec;
    }

    /** Commits a clip that could not be made ready: original only, with the reason. */
    private Future<ClipOutcome> failed(Context ctx, CompletedUpload upload, TranscodeException failure) {
        LOG.warn("event=transcode_failed upload={} reason={} message=\"{}\"", upload.id(), failure.reason(), failure.getMessage());
        Counter.builder("convoy.transcode.failures").description("Clips that could not be transcoded, by reason")
                .tag("reason", failure.reason()).register(registry).increment();
        return committer.commitFailed(ctx, upload, failure).map(m -> new ClipOutcome(ClipStatus.FAILED, failure.reason()));
    }

    /**
     * Takes a clip whose last byte has just arrived (or, after a restart, one that was not
     * committed) the rest of its way; its time to ready is measured from here.
     */
    /**
     * Takes back the clips still waiting for a worker (a stopping node hands them to others);
     * their {@link #process} futures fail with {@link ClipListener.Withdrawn}. Returns their ids.
     */
    public List<String> withdrawWaiting() {
        // Read before the jobs are taken back: each one taken back leaves the map as its future fails.
        Map<TranscodeJob, String> ids = Map.copyOf(waiting);
        return queue.withdrawWaiting().stream().map(ids::get).filter(Objects::nonNull).toList();
    }

    public Future<ClipOutcome> process(CompletedUpload upload) {
        long handedOn = System.nanoTime();
        Context ctx = vertx.getOrCreateContext();
        Path out = workDir.resolve(upload.id());
        long posterAt = upload.metadata().eventOffsetMs() >= 0 ? upload.metadata().eventOffsetMs() : TranscodeJob.POSTER_MID_CLIP;
        TranscodeJob job = new TranscodeJob(upload.spool(), out, posterAt, spec);
        LOG.info("event=transcode_queued upload={} kind={} depth={}", upload.id(), upload.metadata().kind().wireName(), queue.depth());
        waiting.put(job, upload.id());
        return queue.submit(upload.metadata().kind(), upload.owner(), upload.length(), job)
                .andThen(ar -> waiting.remove(job))
                .transform(ar -> {
                    if (ar.failed() && ar.cause() instanceof TranscodeQueue.Withdrawn) {
                        return Future.failedFuture(new ClipListener.Withdrawn());
                    }
                    if (ar.succeeded()) {
                        var r = ar.result();
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
                })
                .andThen(ar -> {
                    if (ar.succeeded()) {
                        Timer.builder("convoy.clip.ready")
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
}
