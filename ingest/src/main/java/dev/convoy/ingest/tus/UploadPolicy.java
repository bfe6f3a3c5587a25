package dev.convoy.ingest.tus;

import io.vertx.core.Future;
import java.util.Map;
import java.util.Optional;

/**
 * The application's rules, where they enter the protocol (tusd's pre-create hook): who is
 * asking, and whether a new upload may be created. The protocol knows nothing of what an
 * upload is for; everything it must not decide on its own is asked here.
 */
public interface UploadPolicy {

    /**
     * Who sent a request with this {@code Authorization} header; fails with
     * {@link TusError#UNAUTHORIZED} when nobody may.
     */
    Future<Uploader> authenticate(String authorization);

    /**
     * What a creation request asks for, already checked against the protocol.
     *
     * @param metadata the decoded {@code Upload-Metadata} pairs
     * @param existing the upload already created under the same {@link #idempotencyKey}, or null
     */
    record Creation(Uploader who, long length, Map<String, String> metadata, String rawMetadata,
                    UploadState.Concat concat, UploadState existing) {
    }

    /**
     * Consulted before a new upload is created: throws a {@link TusException} to refuse it,
     * answers an existing upload when the request is a retry of one the server already has
     * (answered 200 with its offset, never a second upload), or empty to go ahead.
     */
    Optional<UploadState> beforeCreate(Creation request);

    /**
     * The application's own key that makes a retried creation find its upload (for Convoy: owner,
     * device and the camera's clip id), or null when there is none. Asked of each creation request
     * and of each stored upload; the {@link UploadService} keeps the index from keys to uploads.
     */
    default String idempotencyKey(Uploader who, Map<String, String> metadata, UploadState.Concat concat) {
        return null;
    }

    /**
     * Consulted before a request writes bytes into an existing upload (PATCH, and a creation
     * with its first bytes): throws a {@link TusException} to refuse them, the upload untouched.
     */
    default void beforeWrite(Uploader who, UploadState upload) {
    }

    /** Headers of the application's own to add to the answer for a reclaimed upload; none by default. */
    default Map<String, String> reclaimedHeaders(UploadState upload) {
        return Map.of();
    }

    /**
     * How an upload's URL names it after {@code /files/}: its id by default; an application
     * running several nodes puts the node that holds it first ({@code node/id}).
     */
    default String urlName(String id) {
        return id;
    }

    /**
     * The length of an upload of {@code who}'s owner that was completed, handed on and then
     * forgotten here ({@link UploadService#forget}), or null when there is no such upload: lets
     * HEAD, PATCH and DELETE answer a late client as they did while the upload was kept. The
     * default knows of none.
     */
    default Future<Long> settledLength(Uploader who, String id) {
        return Future.succeededFuture(null);
    }
}
