package dev.convoy.benchmarks;

import dev.convoy.ingest.ConvoyConfig;
import dev.convoy.ingest.ConvoyServer;
import dev.convoy.ingest.auth.DeviceTokens;
import dev.convoy.ingest.auth.SigningSecret;
import dev.convoy.ingest.storage.IndexEntry;
import dev.convoy.ingest.storage.ObjectKeys;
import dev.convoy.ingest.storage.ObjectStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * An owner with many clips (10,000 by default): the catalog's listing, as the app calls it over
 * HTTP, against a real Convoy server on its embedded S3 store. The clips' manifests and listing
 * index entries are written straight to the store as a commit would write them; then each kind
 * of request is timed many times, beside what a listing that read each clip's manifest would
 * cost for one page.
 *
 * <p>Usage: {@code benchmarks/listing-bench.sh [clips=10000] [repeats=30]}.
 */
public final class ListingBench {

    private static final String OWNER = "fleet-owner";

    private ListingBench() {
    }

    public static void main(String[] args) throws Exception {
        int clips = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Path dataDir = Files.createTempDirectory("convoy-listing");
        ConvoyServer server = ConvoyServer.start(ConvoyConfig.from(List.of("--port", "0", "--management-port", "0", "--host", "127.0.0.1",
                "--data-dir", dataDir.toString(), "--transcode-workers", "0"), Map.of()))
                .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        try {
            ObjectStore store = new ObjectStore(ObjectStore.Endpoint.embedded(server.embeddedS3(), "convoy", 16 << 20, 4));
            Context ctx = server.vertx().getOrCreateContext();
            long t0 = System.nanoTime();
            List<String> ids = populate(store, ctx, clips);
            System.out.printf("populated: %d clips (manifest + index entry each) in %.1f s%n", clips, (System.nanoTime() - t0) / 1e9);

            String token = new DeviceTokens(server.vertx(), SigningSecret.loadOrCreate(dataDir, null)).issueOwner(OWNER);
            HttpClient http = HttpClient.newHttpClient();
            String base = server.baseUrl() + "/api/clips";
            Supplier<JsonObject> firstPage = () -> get(http, base + "?limit=50", token);
            String[] deepCursor = new String[1];
            JsonObject page = firstPage.get();
            for (int i = 0; i < 100 && page.getString("nextCursor") != null; i++) {
                deepCursor[0] = page.getString("nextCursor");
                page = get(http, base + "?limit=50&cursor=" + deepCursor[0], token);
            }

            String metrics = server.managementUrl() + "/metrics";
            Lists lists = () -> storeLists(http, metrics);
            report("first page, limit 50", repeats, lists, () -> check(firstPage.get(), Math.min(50, clips)));
            report("first page, limit 200", repeats, lists, () -> check(get(http, base + "?limit=200", token), Math.min(200, clips)));
            report("page 101 (or the last) by cursor, limit 50", repeats, lists,
                    () -> check(get(http, base + "?limit=50&cursor=" + deepCursor[0], token), -1));
            report("kind=incident (1 in 100), limit 50", repeats, lists,
                    () -> check(get(http, base + "?kind=incident&limit=50", token), Math.min(50, clips / 100)));
            report("event=collision (1 in 1000), whole index", Math.max(3, repeats / 3), lists,
                    () -> check(get(http, base + "?event=collision&limit=200", token), clips / 1000));
            report("one week by from/to, limit 50", repeats, lists,
                    () -> check(get(http, base + "?from=2026-10-01T00:00:00Z&to=2026-10-08T00:00:00Z&limit=50", token), -1));
            report("all pages by cursor, limit 200", Math.max(3, repeats / 10), lists, () -> {
                int seen = 0;
                String cursor = null;
                do {
                    JsonObject p = get(http, base + "?limit=200" + (cursor == null ? "" : "&cursor=" + cursor), token);
                    seen += p.getJsonArray("items").size();
                    cursor = p.getString("nextCursor");
                } while (cursor != null);
                if (seen != clips) {
                    throw new IllegalStateException("walked " + seen + " clips, not " + clips);
                }
            });
            report("50 manifests read one by one (a listing without the index)", repeats, () -> 0, () -> {
                for (int i = 0; i < 50; i++) {
                    await(store.getSmall(ctx, ObjectKeys.of(OWNER, ids.get(i), ObjectKeys.MANIFEST)));
                }
            });
            report("50 manifests read 16 at a time", repeats, () -> 0, () -> {
                List<Future<?>> reads = new ArrayList<>();
                Semaphore inFlight = new Semaphore(16);
                for (int i = 0; i < 50; i++) {
                    inFlight.acquireUninterruptibly();
                    reads.add(store.getSmall(ctx, ObjectKeys.of(OWNER, ids.get(i), ObjectKeys.MANIFEST)).andThen(ar -> inFlight.release()));
                }
                await(Future.all(reads));
            });
            store.close();
        } finally {
            server.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
        System.exit(0);
    }

    /** Clips spread over 100 days: every 100th an incident, every 1000th a collision, the rest drives and manual clips. */
    private static List<String> populate(ObjectStore store, Context ctx, int clips) throws Exception {
        Random random = new Random(42);
        Instant newest = Instant.parse("2026-11-27T00:00:00Z");
        long spacingMs = 100L * 86_400_000 / clips;
        List<String> ids = new ArrayList<>();
        Semaphore inFlight = new Semaphore(64);
        List<Future<Void>> writes = new ArrayList<>();
        for (int i = 0; i < clips; i++) {
            byte[] raw = new byte[16];
            random.nextBytes(raw);
            String id = HexFormat.of().formatHex(raw);
            ids.add(id);
            String kind = i % 100 == 0 ? "incident" : i % 3 == 0 ? "manual" : "drive";
            String event = i % 1000 == 0 ? "collision" : i % 100 == 0 ? "hard_brake" : null;
            Instant at = newest.minusMillis(i * spacingMs);
            IndexEntry entry = new IndexEntry(OWNER, at, id, kind, "ready", 60_000, null, "cam-" + (i % 4), event);
            JsonObject manifest = new JsonObject().put("version", 1).put("clipId", id).put("owner", OWNER)
                    .put("deviceId", "cam-" + (i % 4)).put("status", "ready").put("indexKeys", new JsonArray(entry.keys()))
                    .put("metadata", new JsonObject().put("kind", kind).put("event", event).put("recordedAt", at.toString()))
                    .put("original", new JsonObject().put("key", ObjectKeys.original(OWNER, id, "mp4")).put("size", 50_000_000L)
                            .put("sha256", "0".repeat(64)).put("contentType", "video/mp4"))
                    .put("renditions", new JsonObject()).put("uploadedAt", at.toString()).put("committedAt", at.toString());
            inFlight.acquire();
            writes.add(store.putBytes(ctx, ObjectKeys.of(OWNER, id, ObjectKeys.MANIFEST),
                            manifest.encode().getBytes(StandardCharsets.UTF_8), "application/json")
                    .compose(v -> Future.all(entry.keys().stream().map(key -> store.putBytes(ctx, key, new byte[0],
                            "application/octet-stream")).toList()))
                    .<Void>mapEmpty()
                    .andThen(ar -> inFlight.release()));
        }
        await(Future.all(writes));
        return ids;
    }

    private interface Body {
        void run() throws Exception;
    }

    /** How many ListObjectsV2 requests the server has made so far. */
    private interface Lists {
        double count() throws Exception;
    }

    private static double storeLists(HttpClient http, String metricsUrl) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create(metricsUrl)).build(), HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith("convoy_store_requests_total{") && l.contains("operation=\"ListObjectsV2\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static void report(String what, int repeats, Lists lists, Body body) throws Exception {
        double listsBefore = lists.count();
        body.run();
        double listsPerCall = lists.count() - listsBefore;
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime();
            body.run();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf("%-55s median %8.1f ms   p90 %8.1f ms   store LISTs %4.0f   (n=%d)%n", what, ms[repeats / 2],
                ms[Math.min(repeats - 1, (int) Math.ceil(repeats * 0.9) - 1)], listsPerCall, repeats);
    }

    private static void check(JsonObject page, int expected) {
        int got = page.getJsonArray("items").size();
        if (expected >= 0 ? got != expected : got == 0) {
            throw new IllegalStateException("expected " + expected + " items, got " + got);
        }
    }

    private static JsonObject get(HttpClient http, String url, String token) {
        try {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) {
                throw new IllegalStateException(url + " answered " + res.statusCode() + ": " + res.body());
            }
            return new JsonObject(res.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    }
}
