package dev.convoy.transcoder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A clip that is still being uploaded, read front to back while it grows. Only the bytes its
 * upload has acknowledged are read (the length given by {@link #grew}); past them a read waits,
 * on a condition and never by polling, until more are acknowledged or the upload completes. A
 * read that has waited {@code stallAfter} with nothing new gives up: {@link #stalled()} is then
 * true, and the pass that reads ends with {@link TranscodeException#STALLED}, freeing its worker.
 *
 * <p>The decoder reads from one thread; {@link #grew} and {@link #abandon} come from another.
 */
public final class ArrivingSource extends InputStream {

    /** Guesses of the duration start after this much of the clip. */
    private static final long GUESS_AFTER_US = 1_000_000;

    private final Path file;
    private final long expectedLength;
    private final long stallAfterNanos;
    private FileChannel channel;
    /** Bytes read so far; moved by the reading thread only. */
    private volatile long position;
    // Guarded by this: the reading thread waits on it, the upload's news comes from another.
    private long acknowledged;
    private boolean complete;
    private boolean abandoned;
    private boolean stalled;

    /**
     * @param file           the upload's spool file
     * @param acknowledged   bytes acknowledged so far
     * @param expectedLength the upload's declared length, or -1 while it is deferred
     * @param stallAfter     how long a read waits for more bytes before the pass gives up its worker
     */
    public ArrivingSource(Path file, long acknowledged, long expectedLength, Duration stallAfter) {
        this.file = file;
        this.acknowledged = acknowledged;
        this.expectedLength = expectedLength;
        this.stallAfterNanos = stallAfter.toNanos();
    }

    /** The upload has acknowledged {@code length} bytes; {@code last} when that is all of them. */
    public synchronized void grew(long length, boolean last) {
        acknowledged = Math.max(acknowledged, length);
        complete |= last;
        notifyAll();
    }

    /** The upload is gone (deleted, handed to another node): the pass stops at its next read. */
    public synchronized void abandon() {
        abandoned = true;
        notifyAll();
    }

    /** True once a read waited too long for more bytes. */
    public synchronized boolean stalled() {
        return stalled;
    }

    /** True once the upload was given up. */
    public synchronized boolean abandoned() {
        return abandoned;
    }

    /** Bytes read so far. */
    public long position() {
        return position;
    }

    /**
     * The clip's duration guessed from how far {@code tUs} of it took us into the upload's
     * declared length: -1 when no length is declared, 0 during the first second (the demuxer
     * reads ahead while it probes the streams, so the guess starts out short).
     */
    public long estimatedDurationMs(long tUs) {
        if (expectedLength <= 0) {
            return -1;
        }
        long read = position;
        if (read <= 0 || tUs < GUESS_AFTER_US) {
            return 0;
        }
        return Math.max(1, (long) (tUs / 1000.0 * expectedLength / Math.min(read, expectedLength)));
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        long available = awaitBytes();
        if (available <= 0) {
            return -1;
        }
        if (channel == null) {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        }
        int n = channel.read(ByteBuffer.wrap(into, off, (int) Math.min(len, available)), position);
        if (n < 0) {
            throw new IOException(file + " is shorter than the bytes its upload acknowledged");
        }
        position += n;
        return n;
    }

    /** Acknowledged bytes past the read position, waiting for some; 0 at the end of a complete upload. */
    private synchronized long awaitBytes() throws IOException {
        long waitedNanos = 0;
        while (true) {
            if (abandoned) {
                throw new IOException("the upload was given up");
            }
            if (acknowledged > position) {
                return acknowledged - position;
            }
            if (complete) {
                return 0;
            }
            if (waitedNanos >= stallAfterNanos) {
                stalled = true;
                throw new IOException("no new bytes for " + TimeUnit.NANOSECONDS.toMillis(stallAfterNanos) + " ms");
            }
            long start = System.nanoTime();
            try {
                TimeUnit.NANOSECONDS.timedWait(this, stallAfterNanos - waitedNanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the upload", e);
            }
            waitedNanos += System.nanoTime() - start;
        }
    }

    @Override
    public boolean markSupported() {
        // So that JavaCV reads it as it is, not through a buffer of its own; it is never reset, since
        // the grabber is given no seek callback and FFmpeg reads it front to back.
        return true;
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("a clip still arriving is read front to back and cannot be reset");
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
