package dev.convoy.ingest.upload;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.ReadStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongConsumer;

/**
 * Streams one request body into an upload's spool file with explicit flow control: when
 * the file's write queue is full the socket is paused until it drains, so memory stays
 * bounded by the write queue, not by the chunk size.
 */
final class SpoolFile {

    private final Vertx vertx;
    private final Path path;

    SpoolFile(Vertx vertx, Path path) {
        this.vertx = vertx;
        this.path = path;
    }

    Future<UploadStore.Appended> append(long offset, ReadStream<Buffer> body, long maxBytes, LongConsumer onBytes) {
        body.pause();
        return vertx.fileSystem().open(path.toString(), new OpenOptions().setWrite(true).setCreate(false).setRead(false))
                .compose(file -> {
                    file.setWritePos(offset);
                    return pump(file, body, maxBytes, onBytes);
                })
                // Acknowledged means durable: the bytes are on disk before anyone reports the offset.
                .compose(appended -> fsync().map(appended));
    }

    private Future<UploadStore.Appended> pump(AsyncFile file, ReadStream<Buffer> body, long maxBytes, LongConsumer onBytes) {
        Promise<UploadStore.Appended> done = Promise.promise();
        long[] written = {0};
        boolean[] finished = {false};
        Runnable[] finish = new Runnable[1];
        Throwable[] interruption = {null};
        boolean[] overflow = {false};
        finish[0] = () -> {
            if (finished[0]) {
                return;
            }
            finished[0] = true;
            body.handler(null);
            body.endHandler(null);
            body.exceptionHandler(null);
            file.close().onComplete(ar -> {
                if (ar.failed() && interruption[0] == null) {
                    done.fail(ar.cause());
                } else {
                    done.complete(new UploadStore.Appended(written[0], interruption[0], overflow[0]));
                }
            });
        };
        file.exceptionHandler(err -> {
            interruption[0] = err;
            finish[0].run();
        });
        body.handler(buf -> {
            if (finished[0]) {
                return;
            }
            long room = maxBytes - written[0];
            Buffer chunk = buf;
            if (buf.length() > room) {
                chunk = buf.slice(0, (int) room);
                overflow[0] = true;
            }
            if (chunk.length() > 0) {
                file.write(chunk);
                written[0] += chunk.length();
                onBytes.accept(chunk.length());
            }
            if (overflow[0]) {
                finish[0].run();
            } else if (file.writeQueueFull()) {
                body.pause();
                file.drainHandler(v -> body.resume());
            }
        });
        body.endHandler(v -> finish[0].run());
        body.exceptionHandler(err -> {
            interruption[0] = err;
            finish[0].run();
        });
        body.resume();
        return done.future();
    }

    private Future<Void> fsync() {
        return vertx.executeBlocking(() -> {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                ch.force(false);
            }
            return null;
        }, false);
    }
}
