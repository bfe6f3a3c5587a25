package dev.convoy.ingest.upload;

import dev.convoy.ingest.tus.BodyInflow;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Streams one request body into an upload's spool file. Body pieces are gathered into
 * batches of the size {@link BodyBuffers} allows while this many bodies arrive at once; each
 * batch is written on the spool I/O pool, one batch at a time, and the socket is not read
 * while a full batch waits behind the one being written. Memory per upload is therefore about
 * two batches, whatever the chunk size, and the node's bodies together stay within its budget
 * however many arrive. A partial batch is written once the sender has been quiet for a timer
 * tick; the last batch is written, fdatasynced and the file closed in one task. A body that
 * stalls longer than the idle timeout is ended; what arrived before is kept.
 */
final class SpoolFile {

    /** What happened to one body. */
    record Written(long bytes, Throwable interruption, boolean overflow, boolean stalled) {
    }

    /** Each spool I/O thread's buffer for the bytes it writes. */
    private static final ThreadLocal<ByteBuffer> WRITE_BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BodyBuffers.MAX_BATCH));

    private final Vertx vertx;
    private final WorkerExecutor io;
    private final BodyBuffers buffers;
    private final Path path;
    private final long idleTimeoutMs;
    /** A body averaging less than this once it has run for the idle timeout holds a lock for nothing: it is cut. */
    private final long minBytesPerSecond;

    SpoolFile(Vertx vertx, WorkerExecutor io, BodyBuffers buffers, Path path, long idleTimeoutMs,
              long minBytesPerSecond) {
        this.vertx = vertx;
        this.io = io;
        this.buffers = buffers;
        this.path = path;
        this.idleTimeoutMs = idleTimeoutMs;
        this.minBytesPerSecond = minBytesPerSecond;
    }

    /**
     * Writes the body at {@code offset}, at most {@code maxBytes} of it, and fdatasyncs before
     * completing. {@code tap} sees every byte written, in order, on the I/O pool, one batch at
     * a time; it is done with them when the returned future completes.
     */
    Future<Written> append(long offset, ReadStream<Buffer> body, long maxBytes, Consumer<Buffer> tap) {
        body.pause();
        return new Pump(offset, body, maxBytes, tap).start();
    }

    /** The state of one body on its way to the disk; touched only on the request's event loop. */
    private final class Pump {
        private final ReadStream<Buffer> body;
        private final long maxBytes;
        private final Consumer<Buffer> tap;
        private final Promise<Written> done = Promise.promise();
        private FileChannel channel;
        private final long offset;
        private List<Buffer> batch = new ArrayList<>();
        private int batchBytes;
        private long received;
        private long durable;
        private Future<Void> writing = Future.succeededFuture();
        private boolean writeInFlight;
        private boolean paused;
        private boolean ended;
        private boolean overflow;
        private boolean stalled;
        private Throwable interruption;
        private long lastData = System.nanoTime();
        private final long started = System.nanoTime();
        private long timer;

        Pump(long offset, ReadStream<Buffer> body, long maxBytes, Consumer<Buffer> tap) {
            this.offset = offset;
            this.body = body;
            this.maxBytes = maxBytes;
            this.tap = tap;
        }

        Future<Written> start() {
            long tick = idleTimeoutMs > 0 ? Math.max(50, Math.min(1_000, idleTimeoutMs / 4)) : 1_000;
            timer = vertx.setPeriodic(tick, id -> {
                long quietMs = (System.nanoTime() - lastData) / 1_000_000;
                long runMs = (System.nanoTime() - started) / 1_000_000;
                if (idleTimeoutMs > 0 && !paused && quietMs >= idleTimeoutMs) {
                    stalled = true;
                    end(new TimeoutException("no data for " + idleTimeoutMs + " ms"));
                } else if (minBytesPerSecond > 0 && idleTimeoutMs > 0 && !paused && runMs >= idleTimeoutMs
                        && received * 1000 / runMs < minBytesPerSecond) {
                    // A body dripping a byte now and then never stalls, yet holds its upload's lock for ever.
                    stalled = true;
                    end(new TimeoutException(received + " bytes in " + runMs + " ms, under " + minBytesPerSecond + " bytes/s"));
                } else if (quietMs >= tick && batchBytes > 0 && !writeInFlight) {
                    // A slow or stalled sender's bytes go to the page cache now, not when a batch fills.
                    flush(false);
                }
            });
            buffers.opened();
            body.handler(this::onPiece);
            body.endHandler(v -> end(null));
            body.exceptionHandler(this::end);
            BodyInflow.start(body);
            return done.future();
        }

        private void onPiece(Buffer piece) {
            if (ended) {
                return;
            }
            lastData = System.nanoTime();
            long room = maxBytes - received;
            Buffer kept = piece;
            if (piece.length() > room) {
                kept = piece.slice(0, (int) room);
                overflow = true;
            }
            if (kept.length() > 0) {
                batch.add(kept);
                batchBytes += kept.length();
                received += kept.length();
            }
            if (overflow) {
                end(null);
            } else if (batchBytes >= buffers.batchBytes()) {
                if (writeInFlight) {
                    // A full batch is waiting behind the one on its way to disk: stop reading.
                    paused = true;
                    BodyInflow.stop(body);
                } else {
                    flush(false);
                }
            }
        }

        /** Hands the gathered batch to the I/O pool, behind any batch already there. */
        private void flush(boolean last) {
            List<Buffer> pieces = batch;
            batch = new ArrayList<>();
            batchBytes = 0;
            writeInFlight = true;
            writing = writing.compose(v -> io.<Void>executeBlocking(() -> {
                write(pieces);
                if (last && channel != null) {
                    try (FileChannel ch = channel) {
                        // Acknowledged means durable: the bytes are on disk before anyone reports the offset.
                        ch.force(false);
                    }
                }
                return null;
            }, false)).onComplete(ar -> {
                writeInFlight = false;
                if (ar.failed()) {
                    end(ar.cause());
                } else if (!last && paused) {
                    paused = false;
                    lastData = System.nanoTime();
                    flush(false);
                    BodyInflow.start(body);
                }
            });
        }

        /** Runs on the I/O pool. */
        private void write(List<Buffer> pieces) throws IOException {
            if (channel == null) {
                channel = FileChannel.open(path, StandardOpenOption.WRITE);
                channel.position(offset);
            }
            // The pieces are copied into this thread's direct buffer and written from there: handed
            // to the channel as they are, each heap piece would get a direct copy of its own, and
            // a thousand uploads' small pieces churn direct memory until the JVM calls for full GCs.
            ByteBuffer out = WRITE_BUFFER.get();
            // Whatever a failed write left in this thread's buffer belongs to no one now.
            out.clear();
            for (Buffer piece : pieces) {
                for (ByteBuffer view : ((BufferInternal) piece).getByteBuf().nioBuffers()) {
                    while (view.hasRemaining()) {
                        if (!out.hasRemaining()) {
                            drain(out);
                        }
                        int n = Math.min(view.remaining(), out.remaining());
                        out.put(out.position(), view, view.position(), n);
                        out.position(out.position() + n);
                        view.position(view.position() + n);
                    }
                }
            }
            drain(out);
            for (Buffer piece : pieces) {
                tap.accept(piece);
                durable += piece.length();
            }
        }

        private void drain(ByteBuffer out) throws IOException {
            out.flip();
            while (out.hasRemaining()) {
                channel.write(out);
            }
            out.clear();
        }

        private void end(Throwable cause) {
            if (ended) {
                return;
            }
            ended = true;
            interruption = cause;
            vertx.cancelTimer(timer);
            body.handler(null);
            body.endHandler(null);
            body.exceptionHandler(null);
            if (paused) {
                // The connection reads again: for the response's end and the next request on it.
                BodyInflow.start(body);
            }
            paused = false;
            // Whatever arrived is kept: the last batch goes to disk with the fdatasync.
            flush(true);
            writing.onComplete(ar -> {
                buffers.closed();
                if (ar.failed()) {
                    closeQuietly();
                    done.fail(ar.cause());
                } else {
                    done.complete(new Written(durable, interruption, overflow, stalled));
                }
            });
        }

        private void closeQuietly() {
            FileChannel ch = channel;
            if (ch != null) {
                io.executeBlocking(() -> {
                    ch.close();
                    return null;
                }, false);
            }
        }
    }
}
