package dev.convoy.benchmarks;

import dev.convoy.benchmarks.tus.TusClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many cameras uploading at once: N concurrent tus uploads of M MiB in C-MiB PATCHes against
 * a running server on loopback. Prints aggregate throughput, PATCH latency percentiles and
 * the server's peak resident memory (sampled from /proc while the load runs).
 *
 * <p>Usage: {@code benchmarks/upload-load.sh [uploads] [size-mib] [chunk-mib]}.
 */
public final class UploadLoad {

    private UploadLoad() {
    }

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String token = args[1];
        int uploads = Integer.parseInt(args[2]);
        long size = (long) (Double.parseDouble(args[3]) * (1 << 20));
        int chunk = (int) (Double.parseDouble(args[4]) * (1 << 20));
        long serverPid = args.length > 5 ? Long.parseLong(args[5]) : -1;
        // Another node's base URL: uploads are created at BASE and their PATCHes sent there, to be forwarded.
        String patchVia = args.length > 6 ? args[6] : null;

        Vertx vertx = Vertx.vertx();
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(uploads + 8));
        TusClient tus = new TusClient(client, base + "/files/", token);
        byte[] bytes = new byte[chunk];
        new Random(1).nextBytes(bytes);
        Buffer body = Buffer.buffer(bytes);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicLong sent = new AtomicLong();
        long[] peakRss = {rssKiB(serverPid)};
        long sampler = vertx.setPeriodic(100, id -> peakRss[0] = Math.max(peakRss[0], rssKiB(serverPid)));

        long start = System.nanoTime();
        List<Future<Void>> all = new ArrayList<>();
        for (int i = 0; i < uploads; i++) {
            all.add(tus.create(size, Map.of()).compose(upload -> patchAll(tus, via(upload.url(), patchVia), 0, size, body,
                    latencies, sent)));
        }
        Future.all(all).toCompletionStage().toCompletableFuture().get();
        double seconds = (System.nanoTime() - start) / 1e9;
        vertx.cancelTimer(sampler);
        peakRss[0] = Math.max(peakRss[0], rssKiB(serverPid));

        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        double mib = sent.get() / (double) (1 << 20);
        System.out.printf("uploads=%d size_mib=%.1f chunk_mib=%.2f patches=%d total_mib=%.0f seconds=%.2f%n",
                uploads, size / (double) (1 << 20), chunk / (double) (1 << 20), sorted.size(), mib, seconds);
        System.out.printf("throughput_mib_s=%.1f patch_p50_ms=%.1f patch_p99_ms=%.1f server_peak_rss_mib=%.0f%n",
                mib / seconds, pct(sorted, 0.50), pct(sorted, 0.99), peakRss[0] / 1024.0);
        client.close();
        vertx.close();
    }

    /** The same chunk PATCHed again and again (the last one cut to size): the load is the server's, not the generator's. */
    private static Future<Void> patchAll(TusClient tus, String url, long offset, long size, Buffer body, List<Long> latencies,
                                         AtomicLong sent) {
        if (offset >= size) {
            return Future.succeededFuture();
        }
        Buffer chunk = size - offset >= body.length() ? body : body.slice(0, (int) (size - offset));
        long t0 = System.nanoTime();
        return tus.patch(url, offset, chunk).compose(acked -> {
            latencies.add(System.nanoTime() - t0);
            sent.addAndGet(chunk.length());
            return patchAll(tus, url, acked, size, body, latencies, sent);
        });
    }

    /** The upload's URL with its scheme and authority replaced by {@code base}'s (null: as it is). */
    private static String via(String url, String base) {
        if (base == null) {
            return url;
        }
        URI u = URI.create(url);
        return base + u.getRawPath();
    }

    private static double pct(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size()))) / 1e6;
    }

    private static long rssKiB(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            return 0;
        }
        return 0;
    }
}
