package dev.convoy.benchmarks.fleet;

import dev.convoy.ingest.auth.DeviceTokens;
import dev.convoy.ingest.auth.SigningSecret;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The fleet simulator ({@code convoy-fleet.jar}): many virtual cameras uploading clips to a
 * Convoy server at once, then a wait until every clip is ready, then (by default) every original
 * fetched back and compared by SHA-256. Prints a progress line while it runs and a summary at the end; the exit status
 * is 0 only if no byte was lost and every clip became ready.
 */
public final class Fleet {

    private final FleetOptions options;
    private final PrintStream out;
    private final FleetStats stats = new FleetStats();
    private final Map<String, Camera.Uploaded> waiting = new ConcurrentHashMap<>();
    private final List<Camera.Uploaded> uploaded = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Boolean> polling = new ConcurrentHashMap<>();
    private Vertx vertx;
    private HttpClient http;
    private String ownerToken;

    private Fleet(FleetOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Runs the fleet; returns the exit status (0: nothing lost, every clip ready). */
    public static int run(FleetOptions options, PrintStream out) throws Exception {
        return new Fleet(options, out).run();
    }

    private int run() throws Exception {
        vertx = Vertx.vertx();
        try {
            http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
                    new PoolOptions().setHttp1MaxSize(4).setMaxWaitQueueSize(-1));
            try {
                tusServer(options.url() + "/files/").toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalArgumentException("no Convoy server answers at " + options.url() + "/files/ ("
                        + (e.getCause() != null ? e.getCause().getMessage() : e) + "); start one or fix --url");
            }
            List<String> deviceTokens = tokens();
            Path cache = options.clipCache() != null ? options.clipCache() : options.dataDir() != null
                    ? options.dataDir().resolve("fleet-clips") : Path.of(System.getProperty("java.io.tmpdir"), "convoy-fleet-clips");
            out.println("fleet: preparing clips under " + (options.clipsDir() != null ? options.clipsDir() : cache));
            FleetClips clips = FleetClips.load(options, cache);
            String run = UUID.randomUUID().toString().substring(0, 8);
            List<Camera> cameras = new ArrayList<>();
            // Seeds drawn from one generator: Random's first draws from consecutive seeds are nearly equal.
            Random seeds = new Random(options.seed());
            for (int i = 0; i < options.cams(); i++) {
                cameras.add(new Camera(vertx, vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                        new PoolOptions().setHttp1MaxSize(1).setMaxWaitQueueSize(-1)), options,
                        deviceTokens.get(i % deviceTokens.size()), String.format("cam-%04d", i),
                        options.containers().get(i % options.containers().size()), run, clips, stats,
                        seeds.nextLong(), this::uploaded));
            }
            out.printf("fleet: %d cameras on %s (%d KiB/s up, %d ms, %.0f%% of chunks cut off) recording for %ds to %s%n",
                    options.cams(), options.network().name(), options.network().bytesPerSecond() / 1024,
                    options.network().latencyMs(), options.network().dropPerChunk() * 100, options.duration().toSeconds(),
                    options.url());
            stats.startNanos = System.nanoTime();
            long recordUntil = stats.startNanos + options.duration().toNanos();
            long giveUp = recordUntil + options.drain().toNanos();
            cameras.forEach(c -> vertx.runOnContext(v -> c.start(recordUntil, giveUp)));
            boolean terminal = System.console() != null;
            long progress = vertx.setPeriodic(terminal ? 1_000 : 10_000, id -> progress(terminal));
            long sampler = vertx.setPeriodic(2_000, id -> sampleServer());
            vertx.setPeriodic(500, id -> pollReady());

            while (System.nanoTime() < recordUntil || stats.uploadsPending() > 0) {
                if (System.nanoTime() > giveUp + 60_000_000_000L) {
                    break;
                }
                Thread.sleep(200);
            }
            stats.uploadEndNanos = System.nanoTime();
            long readyDeadline = System.nanoTime() + options.readyTimeout().toNanos();
            while (!waiting.isEmpty() && System.nanoTime() < readyDeadline) {
                Thread.sleep(200);
            }
            stats.neverReady.set(waiting.size());
            vertx.cancelTimer(progress);
            vertx.cancelTimer(sampler);
            progress(false);
            if (options.verify()) {
                out.println("fleet: verifying " + uploaded.size() + " originals by SHA-256");
                verifyAll();
            }
            JsonObject summary = stats.toJson(options);
            print(summary);
            if (options.jsonFile() != null) {
                Files.writeString(options.jsonFile(), summary.encodePrettily());
            }
            return stats.lossless(options.verify()) ? 0 : 1;
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private List<String> tokens() throws Exception {
        if (options.tokenFile() != null) {
            List<String> lines = Files.readAllLines(options.tokenFile()).stream().map(String::trim).filter(l -> !l.isEmpty()).toList();
            if (lines.size() < 2) {
                throw new IllegalArgumentException("--token-file needs an owner token on its first line and device tokens after it");
            }
            ownerToken = lines.get(0);
            return lines.subList(1, lines.size());
        }
        DeviceTokens minted = new DeviceTokens(vertx, SigningSecret.loadOrCreate(options.dataDir(), null));
        ownerToken = minted.issueOwner("fleet");
        List<String> devices = new ArrayList<>();
        for (int i = 0; i < options.cams(); i++) {
            devices.add(minted.issueDevice("fleet", String.format("cam-%04d", i)));
        }
        return devices;
    }

    private void uploaded(Camera.Uploaded clip) {
        uploaded.add(clip);
        waiting.put(clip.clipId(), clip);
    }

    /** Asks for each clip still on its way whether it is ready; the time from its last byte to ready is recorded. */
    private void pollReady() {
        for (Camera.Uploaded clip : waiting.values()) {
            if (polling.putIfAbsent(clip.clipId(), true) != null) {
                continue;
            }
            get(options.url() + "/api/clips/" + clip.clipId()).onComplete(ar -> {
                polling.remove(clip.clipId());
                if (ar.failed()) {
                    return;
                }
                String status = ar.result().getString("status", "");
                if (status.equals("ready") || status.equals("failed")) {
                    if (waiting.remove(clip.clipId()) != null) {
                        stats.readyAfter(clip.clip().kind().wireName(), clip.clip().container(),
                                (System.nanoTime() - clip.lastByteNanos()) / 1_000_000, ar.result().getLong("timeToReadyMs", -1L));
                        (status.equals("ready") ? stats.ready : stats.transcodeFailed).incrementAndGet();
                    }
                }
            });
        }
    }

    /** {@code OPTIONS} on the tus endpoint: a tus server says its version. */
    private Future<Void> tusServer(String url) {
        return http.request(new RequestOptions().setMethod(HttpMethod.OPTIONS).setAbsoluteURI(url))
                .compose(req -> req.send().compose(res -> res.body().map(body -> {
                    if (res.getHeader("Tus-Version") == null) {
                        throw new IllegalStateException("OPTIONS answered " + res.statusCode() + " without Tus-Version");
                    }
                    return null;
                })));
    }

    private Future<JsonObject> get(String url) {
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url).setIdleTimeout(60_000);
        if (ownerToken != null) {
            request.putHeader("Authorization", "Bearer " + ownerToken);
        }
        return http.request(request)
                .compose(req -> req.send().compose(res -> res.body().map(body -> {
                    if (res.statusCode() != 200) {
                        throw new IllegalStateException(url + " answered " + res.statusCode());
                    }
                    return body.toJsonObject();
                })));
    }

    /** Fetches every original back, 8 at a time, hashing it as it streams; a clip that does not match counts as lost. */
    private void verifyAll() throws Exception {
        List<Camera.Uploaded> all = new ArrayList<>(uploaded);
        Promise<Void> done = Promise.promise();
        int[] next = {0};
        int[] running = {0};
        vertx.runOnContext(v -> {
            for (int i = 0; i < 8; i++) {
                verifyNext(all, next, running, done);
            }
            if (all.isEmpty()) {
                done.tryComplete();
            }
        });
        done.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.MINUTES);
    }

    private void verifyNext(List<Camera.Uploaded> all, int[] next, int[] running, Promise<Void> done) {
        if (next[0] >= all.size()) {
            if (running[0] == 0) {
                done.tryComplete();
            }
            return;
        }
        Camera.Uploaded clip = all.get(next[0]++);
        running[0]++;
        verify(clip).onComplete(ar -> {
            if (ar.succeeded() && ar.result()) {
                stats.verified.incrementAndGet();
            } else {
                stats.mismatched.incrementAndGet();
                out.println("fleet: LOST " + clip.clipId() + " (" + clip.clip().name() + "): "
                        + (ar.failed() ? ar.cause().getMessage() : "SHA-256 differs"));
            }
            running[0]--;
            verifyNext(all, next, running, done);
        });
    }

    private Future<Boolean> verify(Camera.Uploaded clip) {
        return get(options.url() + "/api/clips/" + clip.clipId()).compose(view -> {
            if (!clip.clip().sha256().equals(view.getString("sha256"))) {
                return Future.succeededFuture(false);
            }
            String original = view.getJsonObject("urls", new JsonObject()).getString("original");
            if (original == null) {
                return Future.failedFuture("no original URL (status " + view.getString("status") + ")");
            }
            MessageDigest digest = sha256();
            // A link may be relative to the API (the embedded store's media go through the server): resolve it as a browser would.
            String link = URI.create(options.url() + "/").resolve(original).toString();
            return http.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(link).setIdleTimeout(60_000))
                    .compose(req -> req.send().compose(res -> {
                        res.handler(b -> digest.update(b.getBytes()));
                        return res.end().map(v -> res.statusCode() == 200
                                && HexFormat.of().formatHex(digest.digest()).equals(clip.clip().sha256()));
                    }));
        });
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The server's heap and transcode backlog, from its own metrics. */
    private void sampleServer() {
        http.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(options.metricsUrl() + "/metrics"))
                .compose(req -> req.send().compose(res -> res.body()))
                .onSuccess(body -> {
                    double heap = 0;
                    double queue = 0;
                    for (String line : body.toString().split("\n")) {
                        if (line.startsWith("jvm_memory_used_bytes{area=\"heap\"")) {
                            heap += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                        } else if (line.startsWith("convoy_transcode_queue_depth")) {
                            queue += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                        }
                    }
                    stats.serverHeapMaxMib = Math.max(stats.serverHeapMaxMib, heap / 1048576);
                    stats.serverQueueMax = Math.max(stats.serverQueueMax, queue);
                });
    }

    private void progress(boolean terminal) {
        String line = String.format("[%5.0fs] recorded %d  uploaded %d  failed %d  ready %d  %.1f MiB/s  resumes %d  errors %d  waiting %d",
                (System.nanoTime() - stats.startNanos) / 1e9, stats.recorded.get(), stats.uploadsOk.get(),
                stats.uploadsFailed.get(), stats.ready.get() + stats.transcodeFailed.get(), stats.mibPerSecond(),
                stats.resumes.get(), stats.errorCount(), waiting.size());
        if (terminal) {
            out.print("\r" + line + "   ");
        } else {
            out.println(line);
        }
    }

    private void print(JsonObject s) {
        JsonObject ack = s.getJsonObject("chunkAckMs");
        JsonObject ready = s.getJsonObject("readyMs");
        out.println();
        out.println("| fleet | " + s.getInteger("cams") + " cameras, " + s.getString("network") + ", " + s.getLong("durationSeconds") + " s |");
        out.println("|---|---|");
        out.println("| clips recorded / uploaded / failed | " + s.getLong("clipsRecorded") + " / " + s.getLong("uploadsOk") + " / "
                + s.getLong("uploadsFailed") + " |");
        out.printf("| bytes acknowledged, aggregate | %.1f MiB, %.2f MiB/s |%n", s.getLong("bytes") / 1048576.0, s.getDouble("mibPerSecond"));
        out.println("| resumes; errors | " + s.getLong("resumes") + "; " + s.getJsonObject("errors").encode() + " |");
        out.println("| chunk acknowledged p50 / p95 / p99 | " + ack.getLong("p50") + " / " + ack.getLong("p95") + " / " + ack.getLong("p99")
                + " ms (" + ack.getInteger("count") + " PATCHes) |");
        JsonObject server = s.getJsonObject("serverReadyMs");
        out.println("| last byte to ready p50 / p95 / p99, server's clock | " + server.getLong("p50") + " / " + server.getLong("p95")
                + " / " + server.getLong("p99") + " ms |");
        s.getJsonObject("serverReadyMsByKindAndContainer").forEach(e -> {
            JsonObject g = (JsonObject) e.getValue();
            out.println("| … " + e.getKey() + " (" + g.getInteger("count") + " clips) | " + g.getLong("p50") + " / " + g.getLong("p95")
                    + " / " + g.getLong("p99") + " ms |");
        });
        out.println("| last byte to ready seen by the fleet (500 ms polls) | " + ready.getLong("p50") + " / " + ready.getLong("p95") + " / "
                + ready.getLong("p99") + " ms |");
        out.println("| ready / transcode refused / never ready | " + s.getLong("ready") + " / " + s.getLong("transcodeFailed") + " / "
                + s.getLong("neverReady") + " |");
        out.println("| originals verified / lost | " + (options.verify() ? s.getLong("verified") + " / " + s.getLong("mismatched")
                : "not checked") + " |");
        out.printf("| server heap max, transcode backlog max | %.0f MiB, %.0f clips |%n", s.getDouble("serverHeapMaxMib"),
                s.getDouble("serverQueueMax"));
        if (s.getBoolean("lossless")) {
            out.println("fleet: OK: no byte lost, every clip ready");
        } else {
            List<String> why = new ArrayList<>();
            if (s.getLong("uploadsFailed") > 0) {
                why.add(s.getLong("uploadsFailed") + " uploads never finished within --drain");
            }
            if (s.getLong("neverReady") > 0) {
                why.add(s.getLong("neverReady") + " clips were not ready within --ready-timeout (see the transcode backlog)");
            }
            if (s.getLong("mismatched") > 0) {
                why.add(s.getLong("mismatched") + " originals came back different or not at all");
            }
            out.println("fleet: FAILED: " + String.join("; ", why));
        }
    }
}
