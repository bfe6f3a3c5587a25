package dev.convoy.benchmarks;

import dev.convoy.benchmarks.tus.TusClient;
import dev.convoy.ingest.ConvoyConfig;
import dev.convoy.ingest.ConvoyServer;
import dev.convoy.ingest.auth.DeviceTokens;
import dev.convoy.ingest.auth.SigningSecret;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
 * One tus PATCH into the spool, end to end on loopback: the request over HTTP/1.1, the body
 * batched to the spool file, fdatasync, the offset record, the 204. One operation is one
 * PATCH of {@code chunkKiB}; MiB/s is ops/s × chunk size. A server in this JVM (transcoding
 * off); uploads are rotated every 256 MiB (the old one deleted) so the disk does not fill.
 *
 * <p>Run with {@code benchmarks/ingest-bench.sh PatchBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
public class PatchBenchmark {

    private static final long ROTATE_AT = 256L << 20;

    /** Bytes per PATCH, in KiB. */
    @Param({"1024"})
    public int chunkKiB;

    private Path dataDir;
    private ConvoyServer server;
    private Vertx vertx;
    private TusClient tus;
    private Buffer chunk;
    private String upload;
    private long offset;

    @Setup(Level.Trial)
    public void start() throws Exception {
        dataDir = Files.createTempDirectory("convoy-patch-bench");
        server = ConvoyServer.start(ConvoyConfig.from(List.of("--port", "0", "--management-port", "0", "--host", "127.0.0.1", "--data-dir",
                        dataDir.toString(), "--transcode-workers", "0", "--max-upload-size", Long.toString(1L << 40)), Map.of()))
                .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        String token = new DeviceTokens(server.vertx(), SigningSecret.loadOrCreate(dataDir, null)).issueDevice("bench", "cam");
        vertx = Vertx.vertx();
        tus = new TusClient(vertx.createHttpClient(), server.baseUrl() + "/files/", token);
        byte[] bytes = new byte[chunkKiB * 1024];
        new Random(7).nextBytes(bytes);
        chunk = Buffer.buffer(bytes);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        await(vertx.close());
        await(server.close());
    }

    @Benchmark
    public long patch() throws Exception {
        if (upload == null || offset + chunk.length() > ROTATE_AT) {
            if (upload != null) {
                await(tus.terminate(upload));
            }
            // One chunk longer than the bytes it will get: it never completes, so it can be terminated.
            upload = await(tus.create(ROTATE_AT + chunk.length(), Map.of())).url();
            offset = 0;
        }
        offset = await(tus.patch(upload, offset, chunk));
        return offset;
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
}
