package dev.convoy.ingest.storage;

import dev.convoy.ingest.clip.ClipMetadata;
import dev.convoy.ingest.clip.ClipStatus;
import dev.convoy.ingest.clip.CompletedUpload;
import dev.convoy.ingest.clip.FailureReasons;
import dev.convoy.transcoder.ProbeFacts;
import dev.convoy.transcoder.TranscodeResult;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The manifest of a committed clip: written last, so a clip exists for readers exactly when
 * its manifest does. It names every object of the clip and holds what was learned. Its JSON
 * form is {@link ClipManifestJson}.
 *
 * @param lastByteAt when the upload's last byte was written; null in manifests written before it was kept
 * @param probe      what probing found; null for a clip that could not be transcoded
 * @param renditions by role ({@code poster}, {@code preview}, ...), in the order they were made; empty when failed
 * @param transcode  the single pass's figures; null when failed
 * @param failure    why the clip could not be transcoded; null when ready
 * @param expiresAt  when retention deletes the clip, or null to keep it
 * @param indexKeys  the listing index entries written after the manifest (deleted before it)
 */
public record ClipManifest(int version, String clipId, String owner, String deviceId, ClipStatus status,
                           ClipMetadata metadata, Original original, Instant uploadedAt, Instant lastByteAt, Instant committedAt,
                           ProbeFacts probe, Map<String, Rendition> renditions, Transcode transcode, Failure failure,
                           Instant expiresAt, List<String> indexKeys) {

    public static final int VERSION = 1;

    /** The uploaded bytes, unchanged. */
    public record Original(String key, long size, String sha256, String contentType) {
    }

    /**
     * One rendition object.
     *
     * @param width        pixels, or 0 when the rendition has no picture size (the storyboard's cues)
     * @param videoEncoder the encoder of a video rendition, else null
     */
    public record Rendition(String key, String contentType, int width, int height, String videoEncoder) {
    }

    /** What the single decode pass cost. */
    public record Transcode(long framesDecoded, long wallMs, long cpuMs) {
    }

    /** Why a clip is kept original-only: a stable reason code and a sentence. */
    public record Failure(String reason, String message) {
    }

    public ClipManifest {
        // Kept in the order the renditions were made: the JSON lists them so.
        renditions = Collections.unmodifiableMap(new LinkedHashMap<>(renditions));
        indexKeys = List.copyOf(indexKeys);
    }

    /** The manifest of a transcoded clip, before its expiry and index keys are known. */
    public static ClipManifest ready(CompletedUpload upload, String originalKey, TranscodeResult result) {
        Map<String, Rendition> renditions = new LinkedHashMap<>();
        for (TranscodeResult.Rendition r : result.renditions()) {
            renditions.put(r.role(), new Rendition(ObjectKeys.of(upload.owner(), upload.id(), r.file().getFileName().toString()),
                    r.contentType(), Math.max(0, r.width()), Math.max(0, r.height()), r.videoEncoder()));
        }
        return new ClipManifest(VERSION, upload.id(), upload.owner(), upload.deviceId(), ClipStatus.READY, upload.metadata(),
                original(upload, originalKey), upload.createdAt(), upload.lastByteAt(), Instant.now(), result.facts(),
                renditions, new Transcode(result.framesDecoded(), result.wallMs(), result.cpuMs()), null, null, List.of());
    }

    /**
     * The manifest of a clip that could not be transcoded: its original, with the reason and the
     * reason's sentence for its owner (the transcoder's detail is logged, not stored with the clip).
     */
    public static ClipManifest failed(CompletedUpload upload, String originalKey, String reason) {
        return new ClipManifest(VERSION, upload.id(), upload.owner(), upload.deviceId(), ClipStatus.FAILED, upload.metadata(),
                original(upload, originalKey), upload.createdAt(), upload.lastByteAt(), Instant.now(), null, Map.of(), null,
                new Failure(reason, FailureReasons.sentence(reason)), null, List.of());
    }

    private static Original original(CompletedUpload upload, String originalKey) {
        return new Original(originalKey, upload.length(), upload.sha256(),
                ObjectKeys.contentTypeOf(upload.metadata().originalExtension()));
    }

    /** This manifest with the clip's expiry and listing index keys, as written. */
    public ClipManifest indexed(Instant expiry, List<String> keys) {
        return new ClipManifest(version, clipId, owner, deviceId, status, metadata, original, uploadedAt, lastByteAt, committedAt, probe,
                renditions, transcode, failure, expiry, keys);
    }

    /** The clip's duration for its index entry; 0 when it was never probed. */
    public long durationMs() {
        return probe == null ? 0 : probe.durationMs();
    }

    public boolean isExpiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}
