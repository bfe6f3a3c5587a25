package dev.convoy.ingest.storage;

import dev.convoy.ingest.clip.CompletedUpload;
import dev.convoy.transcoder.TranscodeException;
import dev.convoy.transcoder.TranscodeResult;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits a clip to object storage: the original and the renditions first, the manifest
 * last. Until the manifest is written no reader sees the clip; writing the same objects
 * again is harmless, so a retried commit is safe.
 */
public final class ClipCommitter {

    private static final Logger LOG = LoggerFactory.getLogger(ClipCommitter.class);

    private final ObjectStore store;
    private final Timer commitTimer;

    public ClipCommitter(ObjectStore store, MeterRegistry registry) {
        this.store = store;
        this.commitTimer = Timer.builder("convoy.commit")
                .description("Time to commit a clip (original, renditions, manifest) to object storage")
                .publishPercentileHistogram()
                .register(registry);
    }

    /** Commits a transcoded clip; completes with its manifest. */
    public Future<JsonObject> commitReady(Context ctx, CompletedUpload upload, TranscodeResult result) {
        long start = System.nanoTime();
        String originalKey = originalKey(upload);
        Future<Void> stored = store.putFile(ctx, originalKey, upload.spool(),
                ObjectKeys.contentTypeOf(upload.metadata().originalExtension()));
        for (TranscodeResult.Rendition r : result.renditions()) {
            // Renditions keep their file names, so the storyboard's cues (sprite.jpg#xywh=...) resolve beside it.
            stored = stored.compose(v -> store.putFile(ctx, ObjectKeys.of(upload.owner(), upload.id(),
                    r.file().getFileName().toString()), r.file(), r.contentType()));
        }
        return stored
                .compose(v -> writeManifest(ctx, upload, ClipManifest.ready(upload, originalKey, result)))
                .onSuccess(m -> finished(upload, "ready", start));
    }

    /** Commits a clip that could not be transcoded: its original is kept, with the reason. */
    public Future<JsonObject> commitFailed(Context ctx, CompletedUpload upload, TranscodeException failure) {
        long start = System.nanoTime();
        String originalKey = originalKey(upload);
        return store.putFile(ctx, originalKey, upload.spool(), ObjectKeys.contentTypeOf(upload.metadata().originalExtension()))
                .compose(v -> writeManifest(ctx, upload,
                        ClipManifest.failed(upload, originalKey, failure.reason(), failure.getMessage())))
                .onSuccess(m -> finished(upload, "failed", start));
    }

    /** The manifest, then the clip's listing index entry (a crash between is healed by the commit's retry at start). */
    private Future<JsonObject> writeManifest(Context ctx, CompletedUpload upload, JsonObject manifest) {
        IndexEntry entry = new IndexEntry(upload.owner(),
                upload.metadata().recordedAt() != null ? upload.metadata().recordedAt() : upload.createdAt(),
                upload.id(), upload.metadata().kind().wireName(), manifest.getString("status"),
                manifest.containsKey("probe") ? manifest.getJsonObject("probe").getLong("durationMs", 0L) : 0L,
                upload.deviceId(), upload.metadata().event());
        manifest.put("indexKey", entry.key());
        byte[] bytes = manifest.encodePrettily().getBytes(StandardCharsets.UTF_8);
        return store.putBytes(ctx, ObjectKeys.of(upload.owner(), upload.id(), ObjectKeys.MANIFEST), bytes, "application/json")
                .compose(v -> store.putBytes(ctx, entry.key(), new byte[0], "application/octet-stream"))
                .map(manifest);
    }

    private void finished(CompletedUpload upload, String status, long startNanos) {
        long nanos = System.nanoTime() - startNanos;
        commitTimer.record(java.time.Duration.ofNanos(nanos));
        LOG.info("event=clip_committed upload={} owner={} status={} bytes={} commit_ms={}",
                upload.id(), upload.owner(), status, upload.length(), nanos / 1_000_000);
    }

    private static String originalKey(CompletedUpload upload) {
        return ObjectKeys.original(upload.owner(), upload.id(), upload.metadata().originalExtension());
    }
}
