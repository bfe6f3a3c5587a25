package dev.convoy.benchmarks;

import dev.convoy.ingest.transcode.ProcessTranscodePool;
import dev.convoy.transcoder.RenditionSpec;
import dev.convoy.transcoder.TestClips;
import dev.convoy.transcoder.TranscodeJob;
import dev.convoy.transcoder.TranscodeResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs N transcodes back to back through one long-lived worker process and samples the
 * worker's resident memory after each: it should stay flat (no leak per clip).
 *
 * <p>Usage: {@code benchmarks/worker-soak.sh [jobs=200] [clip-seconds=3]}.
 */
public final class WorkerSoak {

    private WorkerSoak() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        Path clip = TestClips.get(TestClips.Spec.fullHd(seconds, true));
        Path out = Files.createTempDirectory("convoy-soak");
        Vertx vertx = Vertx.vertx();
        ProcessTranscodePool pool = new ProcessTranscodePool(vertx, ProcessTranscodePool.Options.defaults(1), new SimpleMeterRegistry());
        RenditionSpec spec = RenditionSpec.defaults();
        List<Long> rss = new ArrayList<>();
        long start = System.nanoTime();
        System.out.printf("clip=%s jobs=%d worker_jvm=%s%n", clip.getFileName(), jobs, ProcessTranscodePool.Options.defaults(1).jvmOptions());
        for (int i = 1; i <= jobs; i++) {
            TranscodeResult r = pool.transcode(new TranscodeJob(clip, out.resolve("j" + (i % 2)), TranscodeJob.POSTER_MID_CLIP, spec))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
            long kib = workerRssKiB();
            rss.add(kib);
            if (i == 1 || i == 10 || i % 50 == 0 || i == jobs) {
                System.out.printf("job=%d frames=%d wall_ms=%d worker_rss_mib=%d%n", i, r.framesDecoded(), r.wallMs(), kib / 1024);
            }
        }
        long first10 = rss.subList(0, Math.min(10, rss.size())).stream().mapToLong(Long::longValue).max().orElse(0);
        long last10 = rss.subList(Math.max(0, rss.size() - 10), rss.size()).stream().mapToLong(Long::longValue).max().orElse(0);
        System.out.printf("jobs=%d seconds=%.0f worker_rss_mib min=%d max=%d peak_of_first_10=%d peak_of_last_10=%d%n", jobs,
                (System.nanoTime() - start) / 1e9, rss.stream().mapToLong(Long::longValue).min().orElse(0) / 1024,
                rss.stream().mapToLong(Long::longValue).max().orElse(0) / 1024, first10 / 1024, last10 / 1024);
        pool.close();
        vertx.close();
        System.exit(0);
    }

    /** Resident memory of the (one) worker process, from /proc. */
    private static long workerRssKiB() throws Exception {
        for (ProcessHandle child : ProcessHandle.current().children().toList()) {
            Path status = Path.of("/proc", Long.toString(child.pid()), "status");
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        }
        return 0;
    }
}
