package dev.convoy.ingest.clip;

import java.time.Instant;

/**
 * A clip as the catalog tracks it before (and while) its manifest is the source of truth.
 *
 * @param id        the clip id, which is its upload id
 * @param owner     the owner of the device that uploaded it
 * @param deviceId  the device that uploaded it
 * @param status    where the clip is on its path
 * @param metadata  what the camera said about it
 * @param length    the original's size in bytes
 * @param offset    bytes received so far
 * @param createdAt when the upload was created
 * @param updatedAt when its bytes last moved (for a clip being processed: when its last byte arrived)
 */
public record ClipRecord(String id, String owner, String deviceId, ClipStatus status, ClipMetadata metadata,
                         long length, long offset, Instant createdAt, Instant updatedAt) {
}
