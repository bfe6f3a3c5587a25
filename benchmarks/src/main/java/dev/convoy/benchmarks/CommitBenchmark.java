package dev.convoy.benchmarks;

import dev.convoy.ingest.clip.ClipKind;
import dev.convoy.ingest.clip.ClipMetadata;
import dev.convoy.ingest.clip.CompletedUpload;
import dev.convoy.ingest.clip.Retention;
import dev.convoy.ingest.storage.ClipCommitter;
import dev.convoy.ingest.storage.EmbeddedS3;
import dev.convoy.ingest.storage.ObjectStore;
import dev.convoy.transcoder.Dimensions;
import dev.convoy.transcoder.ProbeFacts;
import dev.convoy.transcoder.TranscodeResult;
import dev.convoy.transcoder.TranscodeResult.Rendition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The commit of one transcoded clip to S3Proxy on loopback (SigV4, filesystem backend): the
 * original from its spool file (multipart above the part size, parts in parallel, each with
 * its SHA-256), the renditions at the sizes a 1-minute 1080p clip gives, the expiry marker,
 * the manifest and the two index entries. Every operation commits the same clip again, which
 * is what a retried commit does.
 *
 * <p>Run with {@code benchmarks/ingest-bench.sh CommitBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
public class CommitBenchmark {

    /** Size of the original in MiB (a 1-minute 1080p dash-cam clip is about 45). */
    @Param({"45"})
    public int originalMiB;

    /** Multipart part size in MiB. */
    @Param({"16"})
    public int partMiB;

    private Path dir;
    private Vertx vertx;
    private EmbeddedS3 s3;
    private ObjectStore store;
    private ClipCommitter committer;
    private Context ctx;
    private CompletedUpload upload;
    private TranscodeResult result;

    @Setup(Level.Trial)
    public void start() throws Exception {
        dir = Files.createTempDirectory("convoy-commit-bench");
        vertx = Vertx.vertx();
        s3 = EmbeddedS3.start(dir.resolve("objects"));
        store = new ObjectStore(ObjectStore.Endpoint.embedded(s3, "bench", (long) partMiB << 20, 4));
        ctx = vertx.getOrCreateContext();
        store.ensureBucket(ctx).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        committer = new ClipCommitter(store, Retention.parse("drive=60"), new SimpleMeterRegistry());
        Path original = file("original.mp4", originalMiB << 20);
        upload = new CompletedUpload("0123456789abcdef0123456789abcdef", "bench", "cam",
                new ClipMetadata(ClipKind.DRIVE, "drive.mp4", null, -1, Instant.now(), null), original,
                Files.size(original), Instant.now(), Instant.now(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(original))));
        List<Rendition> renditions = new ArrayList<>();
        renditions.add(Rendition.picture("poster", file("poster.jpg", 180_000), "image/jpeg", new Dimensions(1280, 720)));
        renditions.add(Rendition.picture("thumbnail", file("thumb.jpg", 16_000), "image/jpeg", new Dimensions(320, 180)));
        renditions.add(Rendition.picture("thumbnail-webp", file("thumb.webp", 11_000), "image/webp", new Dimensions(320, 180)));
        renditions.add(Rendition.picture("storyboard", file("sprite.jpg", 350_000), "image/jpeg", new Dimensions(1600, 540)));
        renditions.add(Rendition.text("storyboard-vtt", file("storyboard.vtt", 4_000), "text/vtt"));
        renditions.add(Rendition.video("preview", file("preview.mp4", 4_000_000), "video/mp4", new Dimensions(640, 360),
                "libopenh264"));
        result = new TranscodeResult(new ProbeFacts("mov,mp4,m4a,3gp,3g2,mj2", "h264", "High", 1920, 1080, 0, 30, false,
                60_000, 6_000_000, true, "aac", 1, null), renditions, "libopenh264", 1800, 5000, 9000);
    }

    private Path file(String name, int size) throws Exception {
        byte[] bytes = new byte[size];
        new Random(name.hashCode()).nextBytes(bytes);
        return Files.write(dir.resolve(name), bytes);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        store.close();
        s3.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Benchmark
    public Object commit() throws Exception {
        return committer.commitReady(ctx, upload, result).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    }
}
