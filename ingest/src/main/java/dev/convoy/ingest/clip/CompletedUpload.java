package dev.convoy.ingest.clip;

import java.nio.file.Path;
import java.time.Instant;

/**
 * An upload whose bytes have all arrived: the hand-off from the upload stage to the rest of the path.
 *
 * @param id        the upload id, which becomes the clip id
 * @param owner     the device's owner
 * @param deviceId  the device
 * @param metadata  what the camera said about the clip
 * @param spool     the complete original on local disk
 * @param length    its size in bytes
 * @param createdAt  when the upload was created
 * @param lastByteAt when its last byte was written (a clip's time to ready counts from here)
 * @param sha256     hex SHA-256 of the original, computed while it streamed in
 */
public record CompletedUpload(String id, String owner, String deviceId, ClipMetadata metadata, Path spool,
                              long length, Instant createdAt, Instant lastByteAt, String sha256) {
}
