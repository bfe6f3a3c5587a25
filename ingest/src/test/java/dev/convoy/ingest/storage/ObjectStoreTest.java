package dev.convoy.ingest.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The object store client against S3Proxy with SigV4: checksums the store verifies, parts, lifecycle rules. */
class ObjectStoreTest {

    private static final long MIB = 1 << 20;

    @TempDir
    static Path dir;

    static Vertx vertx;
    static EmbeddedS3 s3;
    static ObjectStore store;
    static Context ctx;
    static final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        s3 = EmbeddedS3.start(dir.resolve("objects"));
        store = new ObjectStore(ObjectStore.Endpoint.embedded(s3, "store-test", 5 * MIB, 3), registry);
        ctx = vertx.getOrCreateContext();
        await(store.ensureBucket(ctx));
    }

    @AfterAll
    static void stop() throws Exception {
        store.close();
        s3.close();
        await(vertx.close());
    }

    @Test
    void aSinglePutCarriesTheSha256AndTheStoreRefusesAWrongOne() throws Exception {
        byte[] bytes = random(300_000, 1);
        Path file = Files.write(dir.resolve("small.bin"), bytes);
        await(store.putFile(ctx, "t/small.bin", file, ObjectStore.PutOptions.of("video/mp4").withSha256(sha256(bytes))));
        assertThat(await(store.getSmall(ctx, "t/small.bin")).getBytes()).isEqualTo(bytes);

        String wrong = sha256(random(10, 2));
        Future<Void> refused = store.putFile(ctx, "t/wrong.bin", file, ObjectStore.PutOptions.of("video/mp4").withSha256(wrong));
        assertThat(failure(refused)).as("the store checks the SHA-256 it was sent").isNotNull();
        assertThat(await(store.getSmall(ctx, "t/wrong.bin"))).as("nothing stored under a wrong checksum").isNull();
        assertThat(requests("PutObject", "ok")).isGreaterThanOrEqualTo(1);
        assertThat(requests("PutObject", "error")).as("the refused put is counted as an error").isGreaterThanOrEqualTo(1);
    }

    @Test
    void aFileStillGrowingGoesUpInPartsAsTheyFillAndItsRestWhenItEnds() throws Exception {
        byte[] bytes = random((int) (12 * MIB + 12_345), 5);
        Path file = dir.resolve("growing.bin");
        Files.write(file, new byte[0]);
        GrowingUpload upload = store.putGrowing("t/growing.bin", file, ObjectStore.PutOptions.of("video/mp2t"));
        double partsBefore = requests("UploadPart", "ok");
        // Written and acknowledged a mebibyte at a time, as PATCHes land.
        for (int at = 0; at < bytes.length; at += (int) MIB) {
            int n = (int) Math.min(MIB, bytes.length - at);
            Files.write(file, Arrays.copyOfRange(bytes, at, at + n), StandardOpenOption.APPEND);
            upload.grew(at + n);
            Thread.sleep(100);
        }
        Thread.sleep(500);
        assertThat(requests("UploadPart", "ok") - partsBefore).as("the two whole 5 MiB parts went up while it grew").isEqualTo(2);

        upload.finish(bytes.length).get(30, TimeUnit.SECONDS);
        assertThat(requests("UploadPart", "ok") - partsBefore).as("then the rest, as the last part").isEqualTo(3);
        Path back = dir.resolve("growing.back");
        assertThat(await(store.getToFile(ctx, "t/growing.bin", back))).isTrue();
        assertThat(sha256(Files.readAllBytes(back))).isEqualTo(sha256(bytes));
    }

    @Test
    void aGrowingFileThatGoesAwayLeavesNoObjectAndOneThatNeverFilledAPartIsRefusedForAWholePut() throws Exception {
        Path file = Files.write(dir.resolve("gone.bin"), random((int) (6 * MIB), 6));
        GrowingUpload gone = store.putGrowing("t/gone.bin", file, ObjectStore.PutOptions.of("video/mp2t"));
        gone.grew(6 * MIB);
        Thread.sleep(500);
        gone.abandon().get(10, TimeUnit.SECONDS);
        assertThat(await(store.getSmall(ctx, "t/gone.bin"))).as("aborted, never completed").isNull();

        GrowingUpload small = store.putGrowing("t/small-growing.bin", file, ObjectStore.PutOptions.of("video/mp2t"));
        small.grew(MIB);
        assertThat(small.finish(6 * MIB)).as("nothing went up while it grew: the commit sends it whole")
                .failsWithin(10, TimeUnit.SECONDS);
    }

    @Test
    void aWriteIfAbsentHasExactlyOneWinnerAmongConcurrentWriters() throws Exception {
        List<Future<Boolean>> writes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            writes.add(store.putBytesIfAbsent(ctx, "t/once.json", ("writer " + i).getBytes(UTF_8), "application/json"));
        }
        List<Boolean> won = new ArrayList<>();
        for (Future<Boolean> write : writes) {
            won.add(await(write));
        }
        assertThat(won).as("one writer wins, the others are told the key is taken").containsOnlyOnce(true);
        String kept = new String(await(store.getSmall(ctx, "t/once.json")).getBytes(), UTF_8);
        assertThat(kept).isEqualTo("writer " + won.indexOf(true));
        assertThat(await(store.putBytesIfAbsent(ctx, "t/once.json", "late".getBytes(UTF_8), "application/json"))).isFalse();
    }

    private static double requests(String operation, String outcome) {
        Counter counter = registry.find("convoy.store.requests").tag("operation", operation).tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aLargeFileGoesUpInEqualPartsInParallelAndComesBackWhole() throws Exception {
        byte[] bytes = random((int) (17 * MIB + 12_345), 3);
        Path file = Files.write(dir.resolve("large.bin"), bytes);
        await(store.putFile(ctx, "t/large.bin", file, ObjectStore.PutOptions.of("video/mp4").withSha256(sha256(bytes))));
        assertThat(sha256(await(store.getSmall(ctx, "t/large.bin")).getBytes())).isEqualTo(sha256(bytes));
        assertThat(requests("UploadPart", "ok")).as("17 MiB in 5 MiB parts").isGreaterThanOrEqualTo(4);
    }

    @Test
    void withoutLifecycleSupportTheRulesAreReportedAsNotApplied() throws Exception {
        assertThat(await(store.applyExpiryRules(ctx, List.of(60L)))).as("S3Proxy keeps no lifecycle rules: the sweeper runs").isFalse();
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private static Throwable failure(Future<?> f) throws Exception {
        try {
            await(f);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }
}
