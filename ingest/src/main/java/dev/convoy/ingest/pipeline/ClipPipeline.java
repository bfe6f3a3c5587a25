package dev.convoy.ingest.pipeline;

import dev.convoy.ingest.catalog.ClipCatalog;
import dev.convoy.ingest.clip.ArrivingClip;
import dev.convoy.ingest.clip.ClipOutcome;
import dev.convoy.ingest.clip.ClipRecord;
import dev.convoy.ingest.clip.ClipStatus;
import dev.convoy.ingest.clip.CompletedUpload;
import dev.convoy.ingest.ops.OpsStats;
import dev.convoy.ingest.storage.StoreFailures;
import dev.convoy.ingest.upload.ClipListener;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * THE path of a clip after its last byte, in one place:
 * upload completed → transcode queue (priority by kind, fairness across owners) → one-pass
 * transcode in a worker process → commit to object storage (original, renditions, manifest
 * last) → status saved with the upload → catalog.
 *
 * <p>The upload stage ({@code upload.ClipUploads}) calls in here; it keeps the spool until the
 * future of {@link #completed} says the manifest is written, then records the outcome and
 * reports the clip's final status, which the catalog hears through {@link #tracked}.
 */
public final class ClipPipeline implements ClipListener {

    private final ClipProcessor processor;
    private final ClipCatalog catalog;
    private final Consumer<OpsStats.FailedClip> failures;

    /** {@code failures} hears of each clip committed as failed (the operators' page lists the latest). */
    public ClipPipeline(ClipProcessor processor, ClipCatalog catalog, Consumer<OpsStats.FailedClip> failures) {
        this.processor = processor;
        this.catalog = catalog;
        this.failures = failures;
        processor.whenPictured(catalog::pictured);
    }

    @Override
    public void tracked(ClipRecord clip) {
        catalog.track(clip);
    }

    @Override
    public void arriving(ArrivingClip clip) {
        processor.arriving(clip);
    }

    @Override
    public Future<ClipOutcome> completed(CompletedUpload clip) {
        return processor.process(clip).andThen(ar -> {
            if (ar.succeeded() && ar.result().status() == ClipStatus.FAILED) {
                failures.accept(new OpsStats.FailedClip(clip.id(), clip.metadata().kind().wireName(), ar.result().failureReason(),
                        Instant.now()));
            }
        });
    }

    @Override
    public Future<List<String>> stopTranscoding(Duration commitsWait) {
        return processor.stopTranscoding(commitsWait);
    }

    @Override
    public Future<Long> committedSize(String owner, String id) {
        return catalog.committed(Vertx.currentContext(), owner, id)
                .<Long>map(clip -> clip == null ? null : clip.original().size())
                .recover(err -> Future.failedFuture(StoreFailures.isUnavailable(err) ? new ClipListener.Unavailable(err) : err));
    }

    @Override
    public void removed(String id) {
        processor.abandoned(id);
        catalog.forget(id);
    }
}
