package dev.convoy.ingest.storage;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * An original sent to object storage while its upload still arrives: an S3 multipart upload
 * whose parts go up as the upload's acknowledged bytes fill them, one part at a time for a clip
 * and a few at a time for the node ({@link ObjectStore#takePartPermit}); a part that finds no
 * permit goes up at the end instead. Parts of the growing spool are streamed from it, since the
 * SDK's file body refuses a file whose size changes while it is read. When the last byte lands,
 * {@link #finish} sends what is left from the now complete file and completes the upload. A part
 * that fails breaks it: it is aborted, and the commit sends the original whole, as for any clip.
 */
public final class GrowingUpload {

    private final ObjectStore store;
    private final MultipartUpload multipart;
    private final Path file;
    private final long partSize;
    private final ExecutorService readers;
    private final List<CompletedPart> parts = new ArrayList<>();
    private CompletableFuture<String> uploadId;
    /** The part in flight, or a completed future. */
    private CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);
    private long acknowledged;
    private long sentUpTo;
    private boolean busy;
    private boolean broken;
    private boolean ending;

    GrowingUpload(ObjectStore store, MultipartUpload multipart, Path file, ExecutorService readers) {
        this.store = store;
        this.multipart = multipart;
        this.file = file;
        this.partSize = multipart.partSize();
        this.readers = readers;
    }

    /**
     * The upload has acknowledged {@code length} bytes: the next whole part goes up if none is
     * in flight (a part that finds one waits for the next write, or the end).
     */
    public void grew(long length) {
        synchronized (this) {
            acknowledged = Math.max(acknowledged, length);
            if (busy || broken || ending || acknowledged - sentUpTo < partSize || !store.takePartPermit()) {
                return;
            }
            busy = true;
            int number = (int) (sentUpTo / partSize) + 1;
            long position = sentUpTo;
            sentUpTo += partSize;
            if (uploadId == null) {
                uploadId = multipart.create();
            }
            // On a reader thread: opening the spool is a blocking call, never made on an event loop.
            inFlight = uploadId.thenComposeAsync(upload -> part(upload, number, position), readers).handle((part, err) -> {
                store.givePartPermit();
                synchronized (this) {
                    busy = false;
                    if (err != null) {
                        broken = true;
                    } else {
                        parts.add(part);
                    }
                }
                return null;
            });
        }
    }

    /** Part {@code number}, a whole part from {@code position} of the growing spool, streamed from it. */
    private CompletableFuture<CompletedPart> part(String upload, int number, long position) {
        InputStream slice;
        try {
            slice = slice(position, partSize);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        try {
            return multipart.uploadPart(upload, number, partSize, AsyncRequestBody.fromInputStream(slice, partSize, readers))
                    .whenComplete((part, err) -> close(slice));
        } catch (RuntimeException e) {
            close(slice);
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Every byte is in: sends the parts not yet sent, from the complete file of {@code length}
     * bytes, and completes the upload. Fails (the upload aborted) when a part failed, or when
     * no part went up while the clip arrived: the original is then sent whole.
     */
    public CompletableFuture<Void> finish(long length) {
        CompletableFuture<Void> current;
        synchronized (this) {
            ending = true;
            current = inFlight;
        }
        return current.thenCompose(v -> {
            String id;
            long from;
            List<CompletedPart> sent;
            synchronized (this) {
                if (uploadId == null) {
                    return CompletableFuture.failedFuture(new IOException("no part of the original went up while it arrived"));
                }
                if (broken) {
                    // A part failed: what went up is aborted, and the original is sent whole.
                    return uploadId.thenCompose(multipart::abort)
                            .thenCompose(a -> CompletableFuture.failedFuture(new IOException("a part of the original failed while it arrived")));
                }
                if (length < sentUpTo) {
                    // More went up than the clip holds (never so under tus): the original is sent whole.
                    return uploadId.thenCompose(multipart::abort)
                            .thenCompose(a -> CompletableFuture.failedFuture(new IOException("the clip is shorter than the parts sent")));
                }
                id = uploadId.join();
                from = sentUpTo;
                sent = new ArrayList<>(parts);
            }
            MultipartUpload whole = multipart.sized(length);
            int first = (int) (from / partSize) + 1;
            int last = (int) ((length + partSize - 1) / partSize);
            return whole.uploadParts(id, first, last).thenCompose(rest -> {
                sent.addAll(rest);
                return multipart.complete(id, sent);
            }).exceptionallyCompose(err -> multipart.abort(id).thenCompose(a -> CompletableFuture.<Void>failedFuture(err)));
        });
    }

    /** The upload went away: whatever went up is aborted. Completes once it is (never fails). */
    public CompletableFuture<Void> abandon() {
        CompletableFuture<Void> current;
        synchronized (this) {
            ending = true;
            broken = true;
            current = inFlight;
        }
        return current.thenCompose(v -> {
            CompletableFuture<String> id;
            synchronized (this) {
                id = uploadId;
            }
            return id == null ? CompletableFuture.<Void>completedFuture(null)
                    : id.thenCompose(multipart::abort).exceptionally(err -> null);
        });
    }

    /** {@code length} bytes of the spool from {@code position}, read as the SDK asks for them. */
    private InputStream slice(long position, long length) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ).position(position);
        return new FilterInputStream(Channels.newInputStream(channel)) {
            private long left = length;

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int b = super.read();
                left -= b < 0 ? 0 : 1;
                return b;
            }

            @Override
            public int read(byte[] into, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = super.read(into, off, (int) Math.min(len, left));
                left -= Math.max(0, n);
                return n;
            }
        };
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // A read-only file: nothing was lost.
        }
    }
}
