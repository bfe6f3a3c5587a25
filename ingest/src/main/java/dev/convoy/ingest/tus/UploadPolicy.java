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
     */
    record Creation(Uploader who, long length, Map<String, String> metadata, String rawMetadata,
                    UploadState.Concat concat) {
    }

    /**
     * Consulted before a new upload is created: throws (or fails with) a {@link TusException}
     * to refuse it, answers an existing upload when the request is a retry of one the server
     * already has (answered 200 with its offset, never a second upload), or empty to go ahead.
     */
    Optional<UploadState> beforeCreate(Creation request);

    /** Headers of the application's own to add to the answer for a reclaimed upload; none by default. */
    default Map<String, String> reclaimedHeaders(UploadState upload) {
        return Map.of();
    }
}
