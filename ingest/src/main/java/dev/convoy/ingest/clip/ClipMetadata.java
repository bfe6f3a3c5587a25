package dev.convoy.ingest.clip;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Locale;

/**
 * What the camera says about a clip when it starts uploading it.
 *
 * @param kind          incident, manual or drive
 * @param filename      the camera's file name, kept for downloads (may be null)
 * @param event         what triggered an incident clip, e.g. {@code hard_brake} (may be null)
 * @param eventOffsetMs where in the clip the event happened, or -1
 * @param recordedAt    when recording started (may be null)
 * @param clientClipId  the camera's own id for the clip (may be null)
 */
public record ClipMetadata(ClipKind kind, String filename, String event, long eventOffsetMs,
                           Instant recordedAt, String clientClipId) {

    public JsonObject toJson() {
        JsonObject json = new JsonObject().put("kind", kind.wireName());
        if (filename != null) {
            json.put("filename", filename);
        }
        if (event != null) {
            json.put("event", event);
        }
        if (eventOffsetMs >= 0) {
            json.put("eventOffsetMs", eventOffsetMs);
        }
        if (recordedAt != null) {
            json.put("recordedAt", recordedAt.toString());
        }
        if (clientClipId != null) {
            json.put("clientClipId", clientClipId);
        }
        return json;
    }

    public static ClipMetadata fromJson(JsonObject json) {
        String recorded = json.getString("recordedAt");
        return new ClipMetadata(
                ClipKind.fromWire(json.getString("kind", "manual")).orElse(ClipKind.MANUAL),
                json.getString("filename"),
                json.getString("event"),
                json.getLong("eventOffsetMs", -1L),
                recorded == null ? null : Instant.parse(recorded),
                json.getString("clientClipId"));
    }

    /** The original's file extension, from the camera's file name; {@code mp4} when it has none. */
    public String originalExtension() {
        if (filename != null) {
            int dot = filename.lastIndexOf('.');
            if (dot > 0 && dot < filename.length() - 1) {
                String ext = filename.substring(dot + 1).toLowerCase(Locale.ROOT);
                if (ext.matches("[a-z0-9]{1,5}")) {
                    return ext;
                }
            }
        }
        return "mp4";
    }
}
