package dev.convoy.benchmarks.fleet;

import dev.convoy.ingest.clip.ClipKind;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Supplier;
import io.vertx.core.MultiMap;
import java.util.Locale;

/**
 * One virtual camera: it records a clip now and then and uploads its clips one after another
 * with tus, over its own network profile, resuming the way tus clients do after a failure:
 * wait (0.5 s, 1 s, 2 s ... 8 s, with jitter), {@code HEAD} for the server's offset, {@code PATCH}
 * on from there. Everything runs on one Vert.x event loop; nothing blocks.
 */
final class Camera {

    /** A clip whose every byte the server acknowledged. */
    record Uploaded(FleetClips.Clip clip, String uploadUrl, String clipId, long lastByteNanos) {
    }

    private static final long SLICE_MS = 50;

    private final Vertx vertx;
    private final HttpClient http;
    private final FleetOptions options;
    private final String token;
    private final String name;
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

    Camera(Vertx vertx, HttpClient http, FleetOptions options, String token, String name, String run, FleetClips clips,
           FleetStats stats, long seed, Consumer<Uploaded> onUploaded) {
        this.vertx = vertx;
        this.http = http;
        this.options = options;
        this.token = token;
        this.name = name;
        this.run = run;
        this.clips = clips;
        this.stats = stats;
        this.random = new Random(seed);
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
        var ofKind = clips.of(kind);
        return ofKind.get(random.nextInt(ofKind.size()));
    }

    private void next() {
        FleetClips.Clip clip = recorded.poll();
        if (clip == null) {
            busy = false;
            return;
        }
        busy = true;
        String clientClipId = run + "/" + name + "/" + (++sequence);
        create(clip, clientClipId, 0).onComplete(ar -> next());
    }

    /** POST until the server has the upload (the clientClipId makes a repeated POST answer with the same upload). */
    private Future<Void> create(FleetClips.Clip clip, String clientClipId, int attempt) {
        String metadata = meta("filename", clip.name()) + "," + meta("kind", clip.kind().wireName()) + ","
                + meta("clientClipId", clientClipId) + "," + meta("recordedAt", Instant.now().toString())
                + (clip.kind() == ClipKind.INCIDENT ? "," + meta("event", "hard_brake") + "," + meta("eventOffsetMs", "3000") : "");
        return later(options.network().latencyMs())
                .compose(v -> send(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(options.url() + "/files/")
                        .putHeader("Upload-Length", Long.toString(clip.bytes().length()))
                        .putHeader("Upload-Metadata", metadata), null))
                .transform(ar -> {
                    if (ar.succeeded() && (ar.result().status() == 201 || ar.result().status() == 200)) {
                        String location = ar.result().header("Location");
                        String url = location.startsWith("http") ? location : options.url() + location;
                        long offset = ar.result().status() == 200 ? Long.parseLong(ar.result().header("Upload-Offset")) : 0;
                        return upload(clip, url, offset, 0);
                    }
                    return retry(ar.failed() ? "create_" + kind(ar.cause()) : "create_http_" + ar.result().status(),
                            attempt, () -> create(clip, clientClipId, attempt + 1));
                });
    }

    /** PATCHes from {@code offset} to the end; after a failure asks the server where it stands and goes on from there. */
    private Future<Void> upload(FleetClips.Clip clip, String url, long offset, int failures) {
        int length = clip.bytes().length();
        if (offset >= length) {
            stats.uploadsOk.incrementAndGet();
            onUploaded.accept(new Uploaded(clip, url, url.substring(url.lastIndexOf('/') + 1), System.nanoTime()));
            return Future.succeededFuture();
        }
        int end = (int) Math.min(length, offset + options.chunkBytes());
        Buffer chunk = clip.bytes().slice((int) offset, end);
        long start = System.nanoTime();
        return later(options.network().latencyMs())
                .compose(v -> send(new RequestOptions().setMethod(HttpMethod.PATCH).setAbsoluteURI(url)
                        .putHeader("Upload-Offset", Long.toString(offset))
                        .putHeader("Content-Type", "application/offset+octet-stream"), chunk))
                .transform(ar -> {
                    if (ar.succeeded() && ar.result().status() == 204) {
                        long acked = Long.parseLong(ar.result().header("Upload-Offset"));
                        stats.chunkAckMs.add((System.nanoTime() - start) / 1_000_000);
                        stats.bytesAcked.addAndGet(acked - offset);
                        return upload(clip, url, acked, 0);
                    }
                    stats.resumes.incrementAndGet();
                    String why = ar.failed() ? "patch_" + kind(ar.cause()) : "patch_http_" + ar.result().status();
                    return retry(why, failures, () -> resumeFrom(clip, url, offset, failures + 1));
                });
    }

    /** Asks the server where the upload stands; bytes of a cut-off PATCH that it kept count as acknowledged now. */
    private Future<Void> resumeFrom(FleetClips.Clip clip, String url, long ackedSoFar, int failures) {
        return later(options.network().latencyMs())
                .compose(v -> send(new RequestOptions().setMethod(HttpMethod.HEAD).setAbsoluteURI(url), null))
                .transform(ar -> {
                    if (ar.succeeded() && ar.result().status() == 200) {
                        long serverOffset = Long.parseLong(ar.result().header("Upload-Offset"));
                        stats.bytesAcked.addAndGet(Math.max(0, serverOffset - ackedSoFar));
                        return upload(clip, url, serverOffset, failures);
                    }
                    String why = ar.failed() ? "head_" + kind(ar.cause()) : "head_http_" + ar.result().status();
                    return retry(why, failures, () -> resumeFrom(clip, url, ackedSoFar, failures + 1));
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
        return later(backoff).compose(v -> again.get());
    }

    /** A response's status and headers; the body is read and dropped. */
    record Answer(int status, MultiMap headers) {
        String header(String name) {
            return headers.get(name);
        }
    }

    /**
     * One request with the camera's token, its body written at the profile's bandwidth; per the
     * profile it may stall midway or be cut off (the connection reset) at a random byte.
     */
    private Future<Answer> send(RequestOptions request, Buffer body) {
        request.putHeader("Tus-Resumable", "1.0.0").putHeader("Authorization", "Bearer " + token)
                .setIdleTimeout(90_000).setConnectTimeout(30_000);
        return http.request(request).compose(req -> {
            Future<Answer> answer = req.response().compose(res -> res.body().map(b -> new Answer(res.statusCode(), res.headers())));
            if (body == null) {
                req.end();
                return answer;
            }
            req.putHeader("Content-Length", Integer.toString(body.length()));
            NetworkProfile net = options.network();
            int cutAt = random.nextDouble() < net.dropPerChunk() ? random.nextInt(Math.max(1, body.length())) : -1;
            int stallAt = random.nextDouble() < net.stallPerChunk() ? random.nextInt(Math.max(1, body.length())) : -1;
            int slice = (int) Math.max(4096, net.bytesPerSecond() * SLICE_MS / 1000);
            Promise<Void> sent = Promise.promise();
            writeSlices(req, body, 0, slice, cutAt, stallAt, sent);
            return sent.future().compose(v -> answer);
        });
    }

    private void writeSlices(HttpClientRequest req, Buffer body, int from, int slice, int cutAt, int stallAt, Promise<Void> sent) {
        if (cutAt >= 0 && from >= cutAt) {
            req.reset();
            sent.fail("dropped");
            return;
        }
        if (from >= body.length()) {
            req.end().onComplete(ar -> sent.tryComplete());
            return;
        }
        int to = Math.min(body.length(), from + slice);
        if (cutAt >= 0 && to > cutAt) {
            to = Math.max(cutAt, from + 1);
        }
        int next = to;
        long pause = SLICE_MS * (to - from) / slice;
        if (stallAt >= 0 && from <= stallAt && stallAt < to) {
            pause += options.network().stallMs();
        }
        req.write(body.slice(from, to)).onFailure(sent::tryFail);
        vertx.setTimer(Math.max(1, pause), id -> writeSlices(req, body, next, slice, cutAt, stallAt, sent));
    }

    private Future<Void> later(long ms) {
        if (ms <= 0) {
            return Future.succeededFuture();
        }
        Promise<Void> p = Promise.promise();
        vertx.setTimer(ms, id -> p.complete());
        return p.future();
    }

    private static String kind(Throwable err) {
        String message = String.valueOf(err.getMessage());
        if (message.equals("dropped")) {
            return "dropped";
        }
        return err.getClass().getSimpleName().replace("Exception", "").toLowerCase(Locale.ROOT);
    }

    private static String meta(String key, String value) {
        return key + " " + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
