package dev.convoy.ingest.tus;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Where uploads' bytes and state live. The protocol handler knows nothing of files; it
 * asks the store. Optional abilities are separate interfaces ({@link Terminator},
 * {@link Concatenator}), and the advertised tus extensions follow from which ones a store has.
 */
public interface UploadStore {

    /**
     * The outcome of streaming one request body into an upload.
     *
     * @param bytes            bytes kept (0 when a checksummed chunk was discarded)
     * @param interruption     why the body ended early (connection closed, stalled), or null
     * @param overflow         the body went past the upload's length; bytes up to it were kept
     * @param checksumMismatch the chunk did not match its {@code Upload-Checksum} and was discarded
     * @param stalled          the body stalled past the idle timeout
     */
    record Appended(long bytes, Throwable interruption, boolean overflow, boolean checksumMismatch, boolean stalled) {
    }

    /**
     * What a chunk is verified against: an {@code Upload-Checksum} header known before the
     * body, or a trailer known only after it.
     */
    interface ChunkCheck {
        /** The algorithms (tus names) to digest the body with while it streams. */
        Set<String> algorithms();

        /** Once the body has ended: the checksum it must match; throws {@link TusException} if there is none to use. */
        ChunkChecksum resolve();
    }

    /** An {@code Upload-Checksum} to verify a chunk against. */
    record ChunkChecksum(String algorithm, byte[] expected) implements ChunkCheck {
        @Override
        public Set<String> algorithms() {
            return Set.of(algorithm);
        }

        @Override
        public ChunkChecksum resolve() {
            return this;
        }
    }

    /** Checksum algorithms (tus names) the store can verify chunks with. */
    Set<String> checksumAlgorithms();

    /** Persists a new upload with an empty spool. */
    Future<UploadState> create(UploadState upload);

    /** The upload's current state, or null if there is none. */
    UploadState get(String id);

    /**
     * Streams {@code body} to the spool at the upload's offset, at most {@code maxBytes}, with
     * backpressure, and fsyncs before completing. Bytes received before an interruption are
     * kept and counted, except for a checksummed chunk, which is kept whole or not at all; when
     * its check cannot be resolved the chunk is discarded and the future fails with that error.
     */
    Future<Appended> append(UploadState upload, ReadStream<Buffer> body, long maxBytes, LongConsumer onBytes,
                            ChunkCheck checksum);

    /** Hex SHA-256 of the upload's bytes so far, computed as they streamed in. */
    Future<String> sha256(UploadState upload);

    /** Durably records a new state (offset, length, SHA-256). */
    Future<UploadState> save(UploadState upload);

    /** Deletes the spool file once its bytes are safely elsewhere; the state stays. */
    Future<Void> deleteSpool(String id);

    Path spool(String id);

    Collection<UploadState> all();

    /** A store that can delete an upload outright (tus termination, expiry). */
    interface Terminator {
        Future<Void> terminate(String id);
    }

    /** A store that can join complete partial uploads into a final one (tus concatenation). */
    interface Concatenator {
        /** Writes the parts' bytes, in order, as the final upload's spool; completes with its SHA-256. */
        Future<String> concatenate(UploadState finalUpload, List<UploadState> parts);
    }
}
