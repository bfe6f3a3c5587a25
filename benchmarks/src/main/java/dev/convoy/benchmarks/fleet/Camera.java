package dev.convoy.benchmarks.fleet;

import dev.convoy.benchmarks.tus.TusClient;
import dev.convoy.benchmarks.tus.TusException;
import dev.convoy.ingest.clip.ClipKind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One virtual camera: it records a clip now and then and uploads its clips one after another
 * with tus, over its own network profile, resuming the way tus clients do after a failure:
 * wait (0.5 s, 1 s, 2 s ... 8 s, with jitter), {@code HEAD} for the server's offset, {@code PATCH}
 * on from there. Everything runs on one Vert.x event loop; nothing blocks. The tus requests go
 * through the shared {@link TusClient} over the camera's {@link CameraLink}.
 */
final class Camera {

    /** A clip whose every byte the server acknowledged. */
    record Uploaded(FleetClips.Clip clip, String uploadUrl, String clipId, long lastByteNanos) {
    }

    private final Vertx vertx;
    private final TusClient tus;
    private final FleetOptions options;
    private final String name;
    /** The container this camera writes its clips in. */
    private final String container;
    private final String run;
    private final FleetClips clips;
    private final FleetStats stats;
    private final Random random;
    private final Consumer<Uploaded> onUploaded;
    private final Deque<FleetClips.Clip> recorded = new ArrayDeque<>();
    private long recordUntilNanos;
    private long giveUpNanos;
    private boolean busy;
    private int sequence;

    Camera(Vertx vertx, HttpClient http, FleetOptions options, String token, String name, String container, String run,
           FleetClips clips, FleetStats stats, long seed, Consumer<Uploaded> onUploaded) {
        this.vertx = vertx;
        this.options = options;
        this.name = name;
        this.container = container;
        this.run = run;
        this.clips = clips;
        this.stats = stats;
        this.random = new Random(seed);
        this.tus = new TusClient(http, options.url() + "/files/", token, new CameraLink(vertx, options.network(), random));
        this.onUploaded = onUploaded;
    }

    /** Starts recording at a random moment of the first interval, so that cameras do not all start at once. */
    void start(long recordUntilNanos, long giveUpNanos) {
        this.recordUntilNanos = recordUntilNanos;
        this.giveUpNanos = giveUpNanos;
        vertx.setTimer(1 + (long) (random.nextDouble() * options.clipEvery().toMillis()), id -> record());
    }

    private void record() {
        if (System.nanoTime() >= recordUntilNanos) {
            return;
        }
        recorded.add(pick());
        stats.recorded.incrementAndGet();
        // Exponential gaps: clips come as events do, not on a beat.
        long gap = (long) (-Math.log(1 - random.nextDouble()) * options.clipEvery().toMillis());
        vertx.setTimer(Math.max(1, gap), id -> record());
        if (!busy) {
            next();
        }
    }

    private FleetClips.Clip pick() {
        double r = random.nextDouble();
        ClipKind kind = null;
        for (Map.Entry<ClipKind, Double> e : options.mix().entrySet()) {
            if (e.getValue() <= 0) {
                continue;
            }
            kind = e.getKey();
            r -= e.getValue();
            if (r < 0) {
                break;
            }
        }
        var ofKind = clips.of(kind, container);
        return ofKind.get(random.nextInt(ofKind.size()));
    }

    private void next() {
        FleetClips.Clip clip = recorded.poll();
        if (clip == null) {
            busy = false;
            return;
        }
        busy = true;
        String clientClipId = run + "/" + name + "/" + ++sequence;
        create(clip, clientClipId, 0).onComplete(ar -> next());
    }

    /** POST until the server has the upload (the clientClipId makes a repeated POST answer with the same upload). */
    private Future<Void> create(FleetClips.Clip clip, String clientClipId, int attempt) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("filename", clip.name());
        metadata.put("kind", clip.kind().wireName());
        metadata.put("clientClipId", clientClipId);
        metadata.put("recordedAt", Instant.now().toString());
        if (clip.kind() == ClipKind.INCIDENT) {
            metadata.put("event", "hard_brake");
            metadata.put("eventOffsetMs", "3000");
        }
        return tus.create(clip.bytes().length(), metadata).transform(ar -> ar.succeeded()
                ? upload(clip, ar.result().url(), ar.result().offset(), 0)
                : retry(why("create", ar.cause()), attempt, () -> create(clip, clientClipId, attempt + 1)));
    }

    /** PATCHes from {@code offset} to the end; after a failure asks the server where it stands and goes on from there. */
    private Future<Void> upload(FleetClips.Clip clip, String url, long offset, int failures) {
        long[] acked = {offset};
        return tus.upload(url, offset, clip.bytes(), options.chunkBytes(), (from, to, nanos) -> {
            stats.chunkAckMs.add(nanos / 1_000_000);
            stats.bytesAcked.addAndGet(to - from);
            acked[0] = to;
        }).transform(ar -> {
            if (ar.succeeded()) {
                stats.uploadsOk.incrementAndGet();
                onUploaded.accept(new Uploaded(clip, url, url.substring(url.lastIndexOf('/') + 1), System.nanoTime()));
                return Future.succeededFuture();
            }
            stats.resumes.incrementAndGet();
            // A PATCH that went through starts the backoff over.
            int failed = acked[0] > offset ? 0 : failures;
            return retry(why("patch", ar.cause()), failed, () -> resumeFrom(clip, url, acked[0], failed + 1));
        });
    }

    /** Asks the server where the upload stands; bytes of a cut-off PATCH that it kept count as acknowledged now. */
    private Future<Void> resumeFrom(FleetClips.Clip clip, String url, long ackedSoFar, int failures) {
        return tus.offset(url).transform(ar -> {
            if (ar.succeeded()) {
                stats.bytesAcked.addAndGet(Math.max(0, ar.result() - ackedSoFar));
                return upload(clip, url, ar.result(), failures);
            }
            return retry(why("head", ar.cause()), failures, () -> resumeFrom(clip, url, ackedSoFar, failures + 1));
        });
    }

    /** Waits (0.5 s doubling to 8 s, with jitter) and tries again, until the run's give-up time, when the upload counts as failed. */
    private Future<Void> retry(String why, int attempt, Supplier<Future<Void>> again) {
        stats.error(why);
        if (System.nanoTime() > giveUpNanos) {
            stats.uploadsFailed.incrementAndGet();
            return Future.succeededFuture();
        }
        long backoff = (long) (Math.min(8_000, 500L << Math.min(attempt, 4)) * (0.5 + random.nextDouble()));
        return CameraLink.later(vertx, backoff).compose(v -> again.get());
    }

    /** The error's name in the summary: the step, then the status the server answered or the kind of failure on the way. */
    private static String why(String step, Throwable err) {
        if (err instanceof TusException refused) {
            return step + "_http_" + refused.status();
        }
        if (CameraLink.DROPPED.equals(err.getMessage())) {
            return step + "_" + CameraLink.DROPPED;
        }
        return step + "_" + err.getClass().getSimpleName().replace("Exception", "").toLowerCase(Locale.ROOT);
    }
}
