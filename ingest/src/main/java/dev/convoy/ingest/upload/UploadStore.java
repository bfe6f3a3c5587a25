package dev.convoy.ingest.upload;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.function.LongConsumer;

/**
 * Where uploads' bytes and state live. The protocol handler knows nothing of files; it
 * asks the store. Optional abilities are separate interfaces ({@link Terminator}), and the
 * advertised tus extensions follow from which ones a store has.
 */
public interface UploadStore {

    /** The outcome of streaming one request body into an upload. */
    record Appended(long bytes, Throwable interruption, boolean overflow) {
    }

    /** Persists a new upload with an empty spool. */
    Future<UploadState> create(UploadState upload);

    /** The upload's current state, or null if there is none. */
    UploadState get(String id);

    /**
     * Streams {@code body} to the spool at the upload's offset, at most {@code maxBytes}, with
     * backpressure, and fsyncs before completing. Bytes received before an interruption are
     * kept and counted.
     */
    Future<Appended> append(UploadState upload, ReadStream<Buffer> body, long maxBytes, LongConsumer onBytes);

    /** Durably records a new state (offset, status). */
    Future<UploadState> save(UploadState upload);

    /** Deletes the spool file once its bytes are safely elsewhere; the state stays. */
    Future<Void> deleteSpool(String id);

    Path spool(String id);

    Collection<UploadState> all();

    /** A store that can delete an upload outright (tus termination). */
    interface Terminator {
        Future<Void> terminate(String id);
    }
}
