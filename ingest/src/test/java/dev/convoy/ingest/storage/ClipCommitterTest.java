package dev.convoy.ingest.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.convoy.ingest.clip.ClipKind;
import dev.convoy.ingest.clip.ClipMetadata;
import dev.convoy.ingest.clip.CompletedUpload;
import dev.convoy.ingest.clip.Retention;
import dev.convoy.transcoder.TranscodeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the commit does not retry: a spool that cannot be read fails at once (the store's outages are retried; StoreOutageTest). */
class ClipCommitterTest {

    @TempDir
    Path dir;

    @Test
    void aMissingSpoolFailsTheCommitWithoutRetrying() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (EmbeddedS3 s3 = EmbeddedS3.start(dir.resolve("objects"));
             ObjectStore store = new ObjectStore(ObjectStore.Endpoint.embedded(s3, "commit-test", 16 << 20, 4))) {
            await(store.ensureBucket(vertx.getOrCreateContext()));
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            ClipCommitter committer = new ClipCommitter(store, Retention.parse("drive=60"), Duration.ofSeconds(30),
                    Duration.ofSeconds(30), registry);
            CompletedUpload gone = new CompletedUpload("0123456789abcdef0123456789abcdef", "owner", "cam",
                    new ClipMetadata(ClipKind.DRIVE, "drive.mp4", null, -1, Instant.now(), null), dir.resolve("no-such.bin"),
                    10, Instant.now(), Instant.now(), "0".repeat(64));
            long start = System.nanoTime();
            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> await(committer.commitFailed(vertx.getOrCreateContext(), gone, new TranscodeException("empty_file", "x"))));
            assertThat(failed).hasRootCauseInstanceOf(NoSuchFileException.class);
            assertThat(registry.get("convoy.commit.retries").counter().count()).isZero();
            assertThat(System.nanoTime() - start).as("not after a 30 s backoff").isLessThan(Duration.ofSeconds(25).toNanos());
        } finally {
            await(vertx.close());
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
}
