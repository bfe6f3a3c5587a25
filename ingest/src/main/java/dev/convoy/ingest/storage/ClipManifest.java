package dev.convoy.ingest.storage;

import dev.convoy.ingest.clip.ClipStatus;
import dev.convoy.ingest.clip.CompletedUpload;
import dev.convoy.transcoder.ProbeFacts;
import dev.convoy.transcoder.TranscodeResult;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * The manifest of a committed clip: written last, so a clip exists for readers exactly
 * when its manifest does. It names every object of the clip and holds what was learned.
 */
public final class ClipManifest {

    public static final int VERSION = 1;

    private ClipManifest() {
    }

    public static JsonObject ready(CompletedUpload upload, String originalKey, TranscodeResult result) {
        JsonObject renditions = new JsonObject();
        for (TranscodeResult.Rendition r : result.renditions()) {
            JsonObject json = new JsonObject()
                    .put("key", ObjectKeys.of(upload.owner(), upload.id(), r.file().getFileName().toString()))
                    .put("contentType", r.contentType());
            if (r.width() > 0) {
                json.put("width", r.width()).put("height", r.height());
            }
            if (r.videoEncoder() != null) {
                json.put("videoEncoder", r.videoEncoder());
            }
            renditions.put(r.role(), json);
        }
        return base(upload, originalKey, ClipStatus.READY)
                .put("probe", probeJson(result.facts()))
                .put("renditions", renditions)
                .put("transcode", new JsonObject()
                        .put("framesDecoded", result.framesDecoded())
                        .put("wallMs", result.wallMs())
                        .put("cpuMs", result.cpuMs()));
    }

    public static JsonObject failed(CompletedUpload upload, String originalKey, String reason, String message) {
        return base(upload, originalKey, ClipStatus.FAILED)
                .put("failure", new JsonObject().put("reason", reason).put("message", message));
    }

    private static JsonObject base(CompletedUpload upload, String originalKey, ClipStatus status) {
        String ext = upload.metadata().originalExtension();
        return new JsonObject()
                .put("version", VERSION)
                .put("clipId", upload.id())
                .put("owner", upload.owner())
                .put("deviceId", upload.deviceId())
                .put("status", status.wireName())
                .put("metadata", upload.metadata().toJson())
                .put("original", new JsonObject()
                        .put("key", originalKey)
                        .put("size", upload.length())
                        .put("sha256", upload.sha256())
                        .put("contentType", ObjectKeys.contentTypeOf(ext)))
                .put("uploadedAt", upload.createdAt().toString())
                .put("committedAt", Instant.now().toString());
    }

    public static JsonObject probeJson(ProbeFacts f) {
        JsonObject json = new JsonObject()
                .put("container", f.container())
                .put("videoCodec", f.videoCodec())
                .put("profile", f.profile())
                .put("width", f.width())
                .put("height", f.height())
                .put("rotation", f.rotation())
                .put("fps", Math.round(f.fps() * 1000) / 1000.0)
                .put("variableFps", f.variableFps())
                .put("durationMs", f.durationMs())
                .put("bitrate", f.bitrate())
                .put("hasAudio", f.hasAudio())
                .put("creationTime", f.creationTime());
        if (f.hasAudio()) {
            json.put("audioCodec", f.audioCodec()).put("audioChannels", f.audioChannels());
        }
        return json;
    }
}
