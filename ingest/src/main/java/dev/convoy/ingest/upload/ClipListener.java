package dev.convoy.ingest.upload;

import dev.convoy.ingest.clip.ArrivingClip;
import dev.convoy.ingest.clip.ClipOutcome;
import dev.convoy.ingest.clip.ClipRecord;
import dev.convoy.ingest.clip.CompletedUpload;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;

/** How the upload stage hands clips down the path (implemented by the pipeline). */
public interface ClipListener {

    /** A clip on its way moved: created, bytes arrived, completed, or committed (then its status is final). */
    void tracked(ClipRecord clip);

    /**
     * Bytes of a clip not yet complete were acknowledged: the path may start on it early. Nothing
     * by default.
     */
    default void arriving(ArrivingClip clip) {
    }

    /**
     * Every byte of a clip has arrived and is durable: take it the rest of the way. The future
     * completes once its manifest is written; until then the spool is kept.
     */
    Future<ClipOutcome> completed(CompletedUpload clip);

    /**
     * The size of the original of {@code owner}'s committed clip {@code id}, or null when the
     * owner has no such clip (the upload stage asks once it has forgotten a committed upload).
     * Fails with {@link Unavailable} when where the clip stands cannot be read now.
     */
    Future<Long> committedSize(String owner, String id);

    /** Where clips stand cannot be read now (the object store is away); asking again later may answer. */
    final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Unavailable(Throwable cause) {
            super("clip records cannot be read now: " + cause, cause);
        }
    }

    /**
     * A stopping node takes back the clips waiting for a transcode or being transcoded, to hand
     * them to other nodes, and lets commits under way finish (up to {@code commitsWait}):
     * completes with the ids taken back, whose {@link #completed} futures fail with
     * {@link Withdrawn} or never complete. None by default.
     */
    default Future<List<String>> stopTranscoding(Duration commitsWait) {
        return Future.succeededFuture(List.of());
    }

    /** A clip taken back before it was committed ({@link #stopTranscoding}): not failed, handed on. */
    final class Withdrawn extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Withdrawn() {
            super("taken back before its transcode started, to be handed to another node");
        }
    }

    /** The clip's upload is gone (terminated, expired, or deleted with its clip). */
    void removed(String id);
}
