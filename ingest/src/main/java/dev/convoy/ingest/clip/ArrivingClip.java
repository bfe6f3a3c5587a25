package dev.convoy.ingest.clip;

import java.nio.file.Path;
import java.time.Instant;

/**
 * An upload whose bytes are still arriving, as the upload stage reports it after each
 * acknowledged write: what the rest of the path needs to start on it early.
 *
 * @param id           the upload id, which becomes the clip id
 * @param owner        the device's owner
 * @param metadata     what the camera said about the clip
 * @param spool        the upload's spool file, growing
 * @param acknowledged bytes acknowledged so far
 * @param length       its declared length, -1 while deferred
 * @param createdAt    when its upload was created (its first byte came right after)
 */
public record ArrivingClip(String id, String owner, ClipMetadata metadata, Path spool, long acknowledged, long length,
                           Instant createdAt) {
}
