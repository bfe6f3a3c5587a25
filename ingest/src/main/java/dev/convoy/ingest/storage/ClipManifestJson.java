package dev.convoy.ingest.storage;

import dev.convoy.ingest.clip.ClipMetadata;
import dev.convoy.ingest.clip.ClipStatus;
import dev.convoy.transcoder.ProbeFacts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON form of a {@link ClipManifest}, both ways, in one place (the manifest in object storage is this). */
public final class ClipManifestJson {

    private ClipManifestJson() {
    }

    public static JsonObject encode(ClipManifest m) {
        JsonObject json = new JsonObject()
                .put("version", m.version())
                .put("clipId", m.clipId())
                .put("owner", m.owner())
                .put("deviceId", m.deviceId())
                .put("status", m.status().wireName())
                .put("metadata", m.metadata().toJson())
                .put("original", new JsonObject()
                        .put("key", m.original().key())
                        .put("size", m.original().size())
                        .put("sha256", m.original().sha256())
                        .put("contentType", m.original().contentType()))
                .put("uploadedAt", m.uploadedAt().toString());
        if (m.lastByteAt() != null) {
            json.put("lastByteAt", m.lastByteAt().toString());
        }
        json.put("committedAt", m.committedAt().toString());
        if (m.probe() != null) {
            json.put("probe", probe(m.probe()));
        }
        if (m.status() == ClipStatus.READY) {
            JsonObject renditions = new JsonObject();
            m.renditions().forEach((role, r) -> renditions.put(role, rendition(r)));
            json.put("renditions", renditions);
        }
        if (m.transcode() != null) {
            json.put("transcode", new JsonObject()
                    .put("framesDecoded", m.transcode().framesDecoded())
                    .put("wallMs", m.transcode().wallMs())
                    .put("cpuMs", m.transcode().cpuMs()));
        }
        if (m.failure() != null) {
            json.put("failure", new JsonObject().put("reason", m.failure().reason()).put("message", m.failure().message()));
        }
        return json.put("expiresAt", m.expiresAt() == null ? null : m.expiresAt().toString())
                .put("indexKeys", new JsonArray(m.indexKeys()));
    }

    public static ClipManifest decode(JsonObject json) {
        JsonObject original = json.getJsonObject("original");
        Map<String, ClipManifest.Rendition> renditions = new LinkedHashMap<>();
        JsonObject renditionsJson = json.getJsonObject("renditions", new JsonObject());
        for (String role : renditionsJson.fieldNames()) {
            JsonObject r = renditionsJson.getJsonObject(role);
            renditions.put(role, new ClipManifest.Rendition(r.getString("key"), r.getString("contentType"),
                    r.getInteger("width", 0), r.getInteger("height", 0), r.getString("videoEncoder")));
        }
        JsonObject transcode = json.getJsonObject("transcode");
        JsonObject failure = json.getJsonObject("failure");
        JsonObject probe = json.getJsonObject("probe");
        String expiresAt = json.getString("expiresAt");
        // Manifests written before the last byte's time was kept have none.
        String lastByteAt = json.getString("lastByteAt");
        return new ClipManifest(
                json.getInteger("version"),
                json.getString("clipId"),
                json.getString("owner"),
                json.getString("deviceId"),
                ClipStatus.fromWire(json.getString("status")),
                ClipMetadata.fromJson(json.getJsonObject("metadata")),
                new ClipManifest.Original(original.getString("key"), original.getLong("size"), original.getString("sha256"),
                        original.getString("contentType")),
                Instant.parse(json.getString("uploadedAt")),
                lastByteAt == null ? null : Instant.parse(lastByteAt),
                Instant.parse(json.getString("committedAt")),
                probe == null ? null : probe(probe),
                renditions,
                transcode == null ? null : new ClipManifest.Transcode(transcode.getLong("framesDecoded"),
                        transcode.getLong("wallMs"), transcode.getLong("cpuMs")),
                failure == null ? null : new ClipManifest.Failure(failure.getString("reason"), failure.getString("message")),
                expiresAt == null ? null : Instant.parse(expiresAt),
                json.getJsonArray("indexKeys", new JsonArray()).stream().map(Object::toString).toList());
    }

    /** A rendition as the manifest states it; {@code key} is where it lives. */
    public static JsonObject rendition(ClipManifest.Rendition r) {
        JsonObject json = new JsonObject().put("key", r.key()).put("contentType", r.contentType());
        if (r.width() > 0) {
            json.put("width", r.width()).put("height", r.height());
        }
        if (r.videoEncoder() != null) {
            json.put("videoEncoder", r.videoEncoder());
        }
        return json;
    }

    /** The probe facts as manifests and the API state them: the frame rate to three decimals, audio fields only with audio. */
    public static JsonObject probe(ProbeFacts f) {
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

    private static ProbeFacts probe(JsonObject json) {
        return new ProbeFacts(json.getString("container"), json.getString("videoCodec"), json.getString("profile"),
                json.getInteger("width"), json.getInteger("height"), json.getInteger("rotation"),
                json.getDouble("fps"), json.getBoolean("variableFps"), json.getLong("durationMs"),
                json.getLong("bitrate"), json.getBoolean("hasAudio"), json.getString("audioCodec"),
                json.getInteger("audioChannels", 0), json.getString("creationTime"));
    }
}
