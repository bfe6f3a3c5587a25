package dev.convoy.ingest.storage;

import dev.convoy.ingest.clip.ArrivingClip;
import dev.convoy.ingest.clip.ClipKind;
import dev.convoy.ingest.clip.CompletedUpload;
import dev.convoy.ingest.clip.Retention;
import dev.convoy.transcoder.TranscodeException;
import dev.convoy.transcoder.TranscodeResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits a clip to object storage: the original and the renditions first, then the expiry
 * marker (for clips that expire), the manifest, and last the listing index entry. Until the
 * manifest is written no reader sees the clip; writing the same objects again is harmless,
 * so a commit that fails because the store is away is simply tried again, with backoff,
 * until the store answers. Nothing is lost meanwhile: the original stays in the spool.
 */
public final class ClipCommitter {

    private static final Logger LOG = LoggerFactory.getLogger(ClipCommitter.class);

    private final ObjectStore store;
    private final Retention retention;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final Timer commitTimer;
    private final Counter retries;
    private volatile boolean lifecycleRules;
    /** Originals going up while their upload arrives, by upload id, until the commit finishes them. */
    private final Map<String, GrowingUpload> arriving = new ConcurrentHashMap<>();

    public ClipCommitter(ObjectStore store, Retention retention, MeterRegistry registry) {
        this(store, retention, Duration.ofSeconds(1), Duration.ofSeconds(30), registry);
    }

    public ClipCommitter(ObjectStore store, Retention retention, Duration firstBackoff, Duration maxBackoff,
                         MeterRegistry registry) {
        this.store = store;
        this.retention = retention;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        this.commitTimer = Timer.builder("convoy.commit")
                .description("Time to commit a clip (original, renditions, manifest) to object storage, retries included")
                .publishPercentileHistogram()
                .register(registry);
        this.retries = Counter.builder("convoy.commit.retries")
                .description("Commit attempts that failed and were tried again (the object store did not answer)")
                .register(registry);
    }

    /** Tags the objects of expiring clips for the bucket's lifecycle rules (set where the store has them). */
    public void useLifecycleRules(boolean on) {
        this.lifecycleRules = on;
    }

    /** Commits a transcoded clip; completes with its manifest. */
    public Future<ClipManifest> commitReady(Context ctx, CompletedUpload upload, TranscodeResult result) {
        long start = System.nanoTime();
        return retrying(ctx, upload, () -> {
            String tagging = tagging(upload);
            Future<Void> stored = putOriginal(ctx, upload, tagging);
            for (TranscodeResult.Rendition r : result.renditions()) {
                // Renditions keep their file names, so the storyboard's cues (sprite.jpg#xywh=...) resolve beside it.
                stored = stored.compose(v -> store.putFile(ctx, ObjectKeys.of(upload.owner(), upload.id(),
                        r.file().getFileName().toString()), r.file(), ObjectStore.PutOptions.of(r.contentType()).withTagging(tagging)));
            }
            return stored.compose(v -> writeManifest(ctx, upload, ClipManifest.ready(upload, originalKey(upload), result), tagging));
        }).onSuccess(m -> finished(upload, "ready", start));
    }

    /**
     * Stores pictures of a clip still on its way (poster, thumbnails made before its last byte)
     * where the committed clip's go; the commit writes its own over them. Completes with their
     * keys by role. Not retried: the next set, or the commit, brings them again.
     */
    public Future<Map<String, String>> putPictures(Context ctx, String owner, String id, ClipKind kind, List<TranscodeResult.Rendition> made) {
        String tagging = tagging(kind);
        Map<String, String> keys = new LinkedHashMap<>();
        Future<Void> stored = Future.succeededFuture();
        for (TranscodeResult.Rendition r : made) {
            String key = ObjectKeys.of(owner, id, r.file().getFileName().toString());
            keys.put(r.role(), key);
            stored = stored.compose(v -> store.putFile(ctx, key, r.file(), ObjectStore.PutOptions.of(r.contentType()).withTagging(tagging)));
        }
        return stored.map(keys);
    }

    /** Removes pictures stored by {@link #putPictures} for a clip that went away before its commit. */
    public Future<Void> removePictures(Context ctx, Collection<String> keys) {
        return Future.all(keys.stream().map(key -> store.delete(ctx, key)).toList()).mapEmpty();
    }

    /** Commits a clip that could not be transcoded: its original is kept, with the reason. */
    public Future<ClipManifest> commitFailed(Context ctx, CompletedUpload upload, TranscodeException failure) {
        long start = System.nanoTime();
        return retrying(ctx, upload, () -> {
            String tagging = tagging(upload);
            return putOriginal(ctx, upload, tagging).compose(v -> writeManifest(ctx, upload,
                    ClipManifest.failed(upload, originalKey(upload), failure.reason()), tagging));
        }).onSuccess(m -> finished(upload, "failed", start));
    }

    /**
     * Bytes of a clip still arriving were acknowledged: an original of more than one part goes
     * up a part at a time as they fill, so that its commit has only the rest to send.
     */
    public void arriving(ArrivingClip clip) {
        if (clip.length() <= store.partSize()) {
            return;
        }
        arriving.computeIfAbsent(clip.id(), id -> store.putGrowing(
                ObjectKeys.original(clip.owner(), clip.id(), clip.metadata().originalExtension()), clip.spool(),
                ObjectStore.PutOptions.of(ObjectKeys.contentTypeOf(clip.metadata().originalExtension()))
                        .withTagging(tagging(clip.metadata().kind()))))
                .grew(clip.acknowledged());
    }

    /** A clip's upload went away before its commit: the parts of its original sent so far are aborted. */
    public Future<Void> abandoned(String id) {
        GrowingUpload original = arriving.remove(id);
        return original == null ? Future.succeededFuture() : Future.fromCompletionStage(original.abandon());
    }

    private Future<Void> putOriginal(Context ctx, CompletedUpload upload, String tagging) {
        GrowingUpload sent = arriving.remove(upload.id());
        if (sent != null) {
            return Future.fromCompletionStage(sent.finish(upload.length()), ctx).recover(err -> {
                LOG.info("event=original_sent_whole upload={} cause=\"{}\"", upload.id(), err.toString());
                return putWhole(ctx, upload, tagging);
            });
        }
        return putWhole(ctx, upload, tagging);
    }

    private Future<Void> putWhole(Context ctx, CompletedUpload upload, String tagging) {
        // The SHA-256 taken while the upload streamed in goes along for the store to check.
        return store.putFile(ctx, originalKey(upload), upload.spool(),
                ObjectStore.PutOptions.of(ObjectKeys.contentTypeOf(upload.metadata().originalExtension()))
                        .withSha256(upload.sha256()).withTagging(tagging));
    }

    /** The expiry marker, the manifest, then the clip's listing index entries (a crash between is healed by the retry at start). */
    private Future<ClipManifest> writeManifest(Context ctx, CompletedUpload upload, ClipManifest manifest, String tagging) {
        Instant expiresAt = retention.expiresAt(upload.metadata().kind(), upload.createdAt());
        IndexEntry entry = new IndexEntry(upload.owner(),
                upload.metadata().recordedAt() != null ? upload.metadata().recordedAt() : upload.createdAt(),
                upload.id(), upload.metadata().kind().wireName(), manifest.status().wireName(), manifest.durationMs(),
                expiresAt, upload.deviceId(), upload.metadata().event());
        ClipManifest written = manifest.indexed(expiresAt, entry.keys());
        byte[] bytes = ClipManifestJson.encode(written).encodePrettily().getBytes(StandardCharsets.UTF_8);
        Future<Void> marked = expiresAt == null ? Future.succeededFuture()
                : store.putBytes(ctx, new ExpiryMarker(expiresAt, upload.owner(), upload.id()).key(), new byte[0],
                        ObjectStore.PutOptions.of("application/octet-stream").withTagging(tagging));
        return marked
                .compose(v -> store.putBytes(ctx, ObjectKeys.of(upload.owner(), upload.id(), ObjectKeys.MANIFEST), bytes,
                        ObjectStore.PutOptions.of("application/json").withTagging(tagging)))
                .compose(v -> Future.all(entry.keys().stream().map(key -> store.putBytes(ctx, key, new byte[0],
                        ObjectStore.PutOptions.of("application/octet-stream").withTagging(tagging))).toList()))
                .map(written);
    }

    private String tagging(CompletedUpload upload) {
        return tagging(upload.metadata().kind());
    }

    private String tagging(ClipKind kind) {
        long days = retention.days(kind);
        return lifecycleRules && days > 0 ? ObjectStore.EXPIRE_TAG + "=" + days : null;
    }

    /** Runs {@code attempt} until it succeeds, waiting 1 s, 2 s, 4 s ... up to the cap between tries. */
    private Future<ClipManifest> retrying(Context ctx, CompletedUpload upload, Supplier<Future<ClipManifest>> attempt) {
        Promise<ClipManifest> done = Promise.promise();
        tryCommit(ctx, upload, attempt, 1, firstBackoff, done);
        return done.future();
    }

    private void tryCommit(Context ctx, CompletedUpload upload, Supplier<Future<ClipManifest>> attempt, int number,
                           Duration backoff, Promise<ClipManifest> done) {
        Future<ClipManifest> tried;
        try {
            tried = attempt.get();
        } catch (RuntimeException e) {
            tried = Future.failedFuture(e);
        }
        tried.onSuccess(done::complete).onFailure(err -> {
            if (!StoreFailures.isUnavailable(err)) {
                // Not the store being away (an unreadable spool, a bug): the same commit would fail
                // the same way, and re-sending the original every 30 s forever helps nobody.
                LOG.error("event=commit_failed upload={} attempt={} cause=\"{}\"", upload.id(), number, err.toString(), err);
                done.fail(err);
                return;
            }
            retries.increment();
            LOG.warn("event=commit_retry upload={} attempt={} retry_in_ms={} cause=\"{}\"",
                    upload.id(), number, backoff.toMillis(), err.toString());
            Duration next = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            ctx.owner().setTimer(backoff.toMillis(), id -> tryCommit(ctx, upload, attempt, number + 1, next, done));
        });
    }

    private void finished(CompletedUpload upload, String status, long startNanos) {
        long nanos = System.nanoTime() - startNanos;
        commitTimer.record(Duration.ofNanos(nanos));
        LOG.info("event=clip_committed upload={} owner={} status={} bytes={} commit_ms={}",
                upload.id(), upload.owner(), status, upload.length(), nanos / 1_000_000);
    }

    private static String originalKey(CompletedUpload upload) {
        return ObjectKeys.original(upload.owner(), upload.id(), upload.metadata().originalExtension());
    }
}
