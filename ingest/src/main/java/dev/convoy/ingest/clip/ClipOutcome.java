package dev.convoy.ingest.clip;

/**
 * How the path ended for a clip once its manifest was written.
 *
 * @param status        {@link ClipStatus#READY} or {@link ClipStatus#FAILED}
 * @param failureReason stable reason code when failed (e.g. {@code not_a_video}), else null
 */
public record ClipOutcome(ClipStatus status, String failureReason) {
}
