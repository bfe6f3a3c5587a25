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
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Streams one request body into an upload's spool file with explicit flow control: when
 * the file's write queue is full the socket is paused until it drains, so memory stays
 * bounded by the write queue, not by the chunk size. A body that stalls longer than the
 * idle timeout is ended; what arrived before is kept.
 */
final class SpoolFile {

    /** What happened to one body. */
    record Written(long bytes, Throwable interruption, boolean overflow, boolean stalled) {
    }

    /** Bytes an upload may have queued for the disk before its socket is paused. */
    static final int WRITE_QUEUE_BYTES = 32 * 1024;

    private final Vertx vertx;
    private final Path path;
    private final long idleTimeoutMs;

    SpoolFile(Vertx vertx, Path path, long idleTimeoutMs) {
        this.vertx = vertx;
        this.path = path;
        this.idleTimeoutMs = idleTimeoutMs;
    }

    /** Writes at {@code offset}; {@code tap} sees every byte written, in order. */
    Future<Written> append(long offset, ReadStream<Buffer> body, long maxBytes, Consumer<Buffer> tap) {
        body.pause();
        return vertx.fileSystem().open(path.toString(), new OpenOptions().setWrite(true).setCreate(false).setRead(false))
                .compose(file -> {
                    file.setWritePos(offset);
                    // One body piece in flight per upload: with thousands of uploads at once, the
                    // write queue, not the chunk size, is what each one costs in memory.
                    file.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
                    return pump(file, body, maxBytes, tap);
                })
                // Acknowledged means durable: the bytes are on disk before anyone reports the offset.
                .compose(written -> fsync(path, vertx).map(written));
    }

    private Future<Written> pump(AsyncFile file, ReadStream<Buffer> body, long maxBytes, Consumer<Buffer> tap) {
        Promise<Written> done = Promise.promise();
        long[] written = {0};
        boolean[] finished = {false};
        boolean[] overflow = {false};
        boolean[] stalled = {false};
        Throwable[] interruption = {null};
        long[] lastData = {System.nanoTime()};
        long[] timer = {-1};
        Runnable[] finish = new Runnable[1];
        finish[0] = () -> {
            if (finished[0]) {
                return;
            }
            finished[0] = true;
            if (timer[0] >= 0) {
                vertx.cancelTimer(timer[0]);
            }
            body.handler(null);
            body.endHandler(null);
            body.exceptionHandler(null);
            file.close().onComplete(ar -> {
                if (ar.failed() && interruption[0] == null) {
                    done.fail(ar.cause());
                } else {
                    done.complete(new Written(written[0], interruption[0], overflow[0], stalled[0]));
                }
            });
        };
        if (idleTimeoutMs > 0) {
            long tick = Math.max(50, Math.min(1_000, idleTimeoutMs / 4));
            timer[0] = vertx.setPeriodic(tick, id -> {
                if ((System.nanoTime() - lastData[0]) / 1_000_000 >= idleTimeoutMs) {
                    stalled[0] = true;
                    interruption[0] = new TimeoutException("no data for " + idleTimeoutMs + " ms");
                    finish[0].run();
                }
            });
        }
        file.exceptionHandler(err -> {
            interruption[0] = err;
            finish[0].run();
        });
        body.handler(buf -> {
            if (finished[0]) {
                return;
            }
            lastData[0] = System.nanoTime();
            long room = maxBytes - written[0];
            Buffer chunk = buf;
            if (buf.length() > room) {
                chunk = buf.slice(0, (int) room);
                overflow[0] = true;
            }
            if (chunk.length() > 0) {
                tap.accept(chunk);
                file.write(chunk);
                written[0] += chunk.length();
            }
            if (overflow[0]) {
                finish[0].run();
            } else if (file.writeQueueFull()) {
                body.pause();
                file.drainHandler(v -> {
                    lastData[0] = System.nanoTime();
                    body.resume();
                });
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

    static Future<Void> fsync(Path path, Vertx vertx) {
        return vertx.executeBlocking(() -> {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                ch.force(false);
            }
            return null;
        }, false);
    }
}
