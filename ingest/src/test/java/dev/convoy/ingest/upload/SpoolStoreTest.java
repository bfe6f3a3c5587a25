package dev.convoy.ingest.upload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.ingest.TestServer;
import dev.convoy.ingest.clip.ClipOutcome;
import dev.convoy.ingest.clip.ClipStatus;
import dev.convoy.ingest.tus.UploadState;
import dev.convoy.ingest.tus.UploadStore;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolStoreTest {

    @TempDir
    Path dir;

    Vertx vertx;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        TestServer.await(vertx.close());
    }

    @Test
    void offsetsSurviveAReopenThroughTheirRecordWithoutRewritingTheState() throws Exception {
        SpoolStore store = TestServer.await(SpoolStore.open(vertx, dir, 0));
        UploadState upload = TestServer.await(store.create(fresh(1000)));
        String stateBefore = Files.readString(dir.resolve(upload.id() + ".json"));
        UploadState moved = append(store, upload, 300);

        assertThat(Files.readString(dir.resolve(upload.id() + ".json"))).as("state file untouched").isEqualTo(stateBefore);
        SpoolStore reopened = TestServer.await(SpoolStore.open(vertx, dir, 0));
        assertThat(reopened.get(upload.id()).offset()).isEqualTo(300);
        assertThat(reopened.get(upload.id()).updatedAt()).isEqualTo(moved.updatedAt().truncatedTo(ChronoUnit.MILLIS));
        assertThat(TestServer.await(reopened.sha256(reopened.get(upload.id()))))
                .isEqualTo(TestServer.await(store.sha256(moved)));
    }

    @Test
    void aCorruptOffsetRecordFallsBackToTheStateFileAndCutsTheSpoolToIt() throws Exception {
        SpoolStore store = TestServer.await(SpoolStore.open(vertx, dir, 0));
        UploadState upload = TestServer.await(store.create(fresh(1000)));
        append(store, upload, 300);
        // A status change rewrites the state file with offset 300; then 200 more bytes move only the record.
        TestServer.await(store.saveOutcome(upload.id(), new ClipOutcome(ClipStatus.FAILED, "noted")));
        append(store, store.get(upload.id()), 200);
        byte[] record = Files.readAllBytes(dir.resolve(upload.id() + ".offset"));
        record[3] ^= 0x55;
        Files.write(dir.resolve(upload.id() + ".offset"), record);

        SpoolStore reopened = TestServer.await(SpoolStore.open(vertx, dir, 0));
        assertThat(reopened.get(upload.id()).offset()).isEqualTo(300);
        assertThat(Files.size(dir.resolve(upload.id() + ".bin"))).isEqualTo(300);
    }

    private UploadState append(SpoolStore store, UploadState upload, int n) throws Exception {
        ReadStream<Buffer> body = new ReadStream<>() {
            Handler<Buffer> data;
            Handler<Void> end;
            boolean sent;

            @Override
            public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
                return this;
            }

            @Override
            public ReadStream<Buffer> handler(Handler<Buffer> handler) {
                data = handler;
                return this;
            }

            @Override
            public ReadStream<Buffer> pause() {
                return this;
            }

            @Override
            public ReadStream<Buffer> resume() {
                if (!sent && data != null && end != null) {
                    sent = true;
                    vertx.runOnContext(v -> {
                        data.handle(Buffer.buffer(new byte[n]));
                        end.handle(null);
                    });
                }
                return this;
            }

            @Override
            public ReadStream<Buffer> fetch(long amount) {
                return resume();
            }

            @Override
            public ReadStream<Buffer> endHandler(Handler<Void> handler) {
                end = handler;
                return this;
            }
        };
        Promise<UploadStore.Appended> done = Promise.promise();
        vertx.runOnContext(v -> store.append(upload, body, upload.length() - upload.offset(), b -> { }, null).onComplete(done));
        UploadStore.Appended appended = TestServer.await(done.future());
        assertThat(appended.bytes()).isEqualTo(n);
        return TestServer.await(store.save(upload.withOffset(upload.offset() + n)));
    }

    private static UploadState fresh(long length) {
        Instant now = Instant.now();
        return new UploadState(UUID.randomUUID().toString().replace("-", ""), "alice", "cam-1", length, 0, null,
                now, now, UploadState.Concat.NONE, List.of(), null);
    }
}
