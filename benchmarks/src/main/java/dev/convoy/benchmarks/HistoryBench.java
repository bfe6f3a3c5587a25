package dev.convoy.benchmarks;

import dev.convoy.ingest.ConvoyConfig;
import dev.convoy.ingest.ConvoyServer;
import dev.convoy.ingest.auth.DeviceTokens;
import dev.convoy.ingest.auth.SigningSecret;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What a node's history costs it: a spool directory holding the upload states of many
 * committed clips (50,000 by default), as a node that has run for weeks would hold them if
 * nothing forgot them. One server keeps them all (its upload expiry longer than their age:
 * today's code for clips that recent, and every clip before forgetting existed); the other
 * forgets them (expiry shorter than their age). For each: the time to start, the heap in use,
 * the state files left, and the time of a tus creation ({@code POST /files/}), which reads
 * every upload the node keeps to decide admission and per-device and per-owner limits.
 *
 * <p>Usage: {@code benchmarks/history-bench.sh [settled=50000] [creations=500]}.
 */
public final class HistoryBench {

    private static final String OWNER = "history-owner";

    private HistoryBench() {
    }

    public static void main(String[] args) throws Exception {
        int settled = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int creations = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        System.out.printf("%d committed clips' upload states, an hour old; %d creations timed on each server%n", settled, creations);
        Result kept = run("kept (expiry 1 day)", settled, creations, "86400");
        Result forgotten = run("forgotten (expiry 8 s)", settled, creations, "8");
        System.out.println();
        System.out.println("| | kept | forgotten | ratio |");
        System.out.println("|---|---|---|---|");
        row("state files on disk", kept.stateFiles, forgotten.stateFiles);
        row("start, ms", kept.startMs, forgotten.startMs);
        row("heap after GC, MiB", kept.heapMib, forgotten.heapMib);
        row("POST /files/ mean, ms", kept.postMeanMs, forgotten.postMeanMs);
        row("POST /files/ p50, ms", kept.postP50Ms, forgotten.postP50Ms);
        row("POST /files/ p99, ms", kept.postP99Ms, forgotten.postP99Ms);
    }

    private record Result(double stateFiles, double startMs, double heapMib, double postMeanMs, double postP50Ms,
                          double postP99Ms) {
    }

    private static void row(String what, double kept, double forgotten) {
        System.out.printf("| %s | %.2f | %.2f | %.2f |%n", what, kept, forgotten, forgotten == 0 ? Double.NaN : kept / forgotten);
    }

    private static Result run(String label, int settled, int creations, String expirySeconds) throws Exception {
        Path dataDir = Files.createTempDirectory("convoy-history");
        writeHistory(dataDir.resolve("uploads"), settled);
        List<String> flags = List.of("--port", "0", "--management-port", "0", "--host", "127.0.0.1",
                "--data-dir", dataDir.toString(), "--transcode-workers", "0", "--upload-expiry", expirySeconds,
                "--max-uploads-per-device", "1000000");
        // A first start: warms the JVM and, where the expiry is short, lets the periodic job forget the history
        // (within one sweep interval, 2 s here). The second start, from what is left, is the one timed.
        ConvoyServer first = start(flags);
        long forgetStart = System.nanoTime();
        for (int i = 0; i < 3000 && forgets(expirySeconds) && stateFiles(dataDir) > 0; i++) {
            Thread.sleep(100);
        }
        if (forgets(expirySeconds)) {
            System.out.printf("%s: history forgotten %.1f s after start (one upload at a time)%n", label,
                    (System.nanoTime() - forgetStart) / 1e9);
        }
        first.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        ConvoyServer server = start(flags);
        double startMs = (System.nanoTime() - t0) / 1e6;
        try {
            double heap = heapMib();
            long files = stateFiles(dataDir);
            String token = new DeviceTokens(server.vertx(), SigningSecret.loadOrCreate(dataDir, null)).issueDevice(OWNER, "cam-bench");
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest create = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/files/"))
                    .header("Tus-Resumable", "1.0.0").header("Authorization", "Bearer " + token)
                    .header("Upload-Length", "1000").POST(HttpRequest.BodyPublishers.noBody()).build();
            for (int i = 0; i < Math.min(100, creations); i++) {
                check(http.send(create, HttpResponse.BodyHandlers.discarding()));
            }
            long[] nanos = new long[creations];
            for (int i = 0; i < creations; i++) {
                long s = System.nanoTime();
                check(http.send(create, HttpResponse.BodyHandlers.discarding()));
                nanos[i] = System.nanoTime() - s;
            }
            Arrays.sort(nanos);
            double mean = Arrays.stream(nanos).average().orElse(0) / 1e6;
            System.out.printf("%s: %d state files, start %.0f ms, heap %.0f MiB, POST mean %.2f ms%n", label, files, startMs, heap, mean);
            return new Result(files, startMs, heap, mean, nanos[creations / 2] / 1e6, nanos[(int) (creations * 0.99)] / 1e6);
        } finally {
            server.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }

    private static boolean forgets(String expirySeconds) {
        return Long.parseLong(expirySeconds) < Duration.ofHours(1).toSeconds();
    }

    private static ConvoyServer start(List<String> flags) throws Exception {
        return ConvoyServer.start(ConvoyConfig.from(flags, Map.of())).toCompletionStage().toCompletableFuture().get(300, TimeUnit.SECONDS);
    }

    private static void check(HttpResponse<?> res) {
        if (res.statusCode() != 201) {
            throw new IllegalStateException("POST /files/ answered " + res.statusCode());
        }
    }

    /** State files as the spool writes them for committed clips: complete, outcome ready, last byte an hour ago. */
    private static void writeHistory(Path uploads, int settled) throws IOException {
        Files.createDirectories(uploads);
        Random random = new Random(1);
        Instant lastByte = Instant.now().minus(Duration.ofHours(1));
        byte[] id = new byte[16];
        for (int i = 0; i < settled; i++) {
            random.nextBytes(id);
            String hex = HexFormat.of().formatHex(id);
            JsonObject state = new JsonObject().put("id", hex).put("owner", "owner-" + (i % 500))
                    .put("deviceId", "cam-" + (i % 2000)).put("length", 20_000_000L).put("offset", 20_000_000L)
                    .put("rawMetadata", "kind aW5jaWRlbnQ=").put("createdAt", lastByte.minusSeconds(60).toString())
                    .put("updatedAt", lastByte.toString()).put("concat", "NONE").put("parts", new JsonArray())
                    .put("sha256", "0".repeat(64))
                    .put("outcome", new JsonObject().put("status", "ready").putNull("reason"));
            Files.writeString(uploads.resolve(hex + ".json"), state.encode(), StandardCharsets.UTF_8);
        }
    }

    private static long stateFiles(Path dataDir) throws IOException {
        try (Stream<Path> files = Files.list(dataDir.resolve("uploads"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).count();
        }
    }

    private static double heapMib() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) / 1048576.0;
    }
}
