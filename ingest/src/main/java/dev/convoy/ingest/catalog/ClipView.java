package dev.convoy.ingest.catalog;

import dev.convoy.ingest.clip.ClipRecord;
import dev.convoy.ingest.clip.FailureReasons;
import dev.convoy.ingest.storage.ClipManifest;
import dev.convoy.ingest.storage.ClipManifestJson;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** The API's JSON answers about clips, shaped from the catalog's records in one place. */
final class ClipView {

    private ClipView() {
    }

    /**
     * {@code GET /api/clips/{id}} for a clip still uploading or processing, with presigned
     * {@code urls} of the pictures made while it arrived, when there are any.
     */
    static JsonObject inFlight(ClipRecord clip, Instant expiresAt, Map<String, String> pictureUrls) {
        JsonObject view = inFlight(clip, expiresAt);
        if (!pictureUrls.isEmpty()) {
            JsonObject links = new JsonObject();
            pictureUrls.forEach(links::put);
            view.put("urls", links);
        }
        return view;
    }

    private static JsonObject inFlight(ClipRecord clip, Instant expiresAt) {
        return new JsonObject()
                .put("id", clip.id())
                .put("status", clip.status().wireName())
                .put("owner", clip.owner())
                .put("deviceId", clip.deviceId())
                .put("metadata", clip.metadata().toJson())
                .put("size", clip.length())
                .put("received", clip.offset())
                .put("createdAt", clip.createdAt().toString())
                .put("expiresAt", instant(expiresAt));
    }

    /** {@code GET /api/clips/{id}} for a committed clip, with presigned {@code urls} valid {@code urlsTtlSeconds}. */
    static JsonObject committed(ClipManifest m, Map<String, String> urls, long urlsTtlSeconds) {
        JsonObject view = new JsonObject()
                .put("id", m.clipId())
                .put("status", m.status().wireName())
                .put("owner", m.owner())
                .put("deviceId", m.deviceId())
                .put("metadata", m.metadata().toJson())
                .put("size", m.original().size())
                .put("received", m.original().size())
                .put("sha256", m.original().sha256())
                .put("createdAt", m.uploadedAt().toString())
                .put("committedAt", m.committedAt().toString())
                .put("expiresAt", instant(m.expiresAt()));
        if (m.lastByteAt() != null) {
            // The clip's time to ready, by the server's clock: from its last byte to its manifest (two nodes'
            // clocks when another node adopted the upload; after a restart it includes the time down).
            view.put("lastByteAt", m.lastByteAt().toString())
                    .put("timeToReadyMs", Math.max(0, Duration.between(m.lastByteAt(), m.committedAt()).toMillis()));
        }
        if (m.probe() != null) {
            view.put("probe", ClipManifestJson.probe(m.probe()));
        }
        if (m.failure() != null) {
            // The reason's fixed sentence: the transcoder's own words (paths, FFmpeg internals) stay in the log.
            view.put("failure", new JsonObject().put("reason", m.failure().reason())
                    .put("message", FailureReasons.sentence(m.failure().reason())));
        }
        if (!m.renditions().isEmpty()) {
            // What each rendition is (type, size, encoder); where it is stays inside: the URLs lead there.
            JsonObject renditions = new JsonObject();
            m.renditions().forEach((role, r) -> {
                JsonObject json = ClipManifestJson.rendition(r);
                json.remove("key");
                renditions.put(role, json);
            });
            view.put("renditions", renditions);
        }
        if (m.transcode() != null) {
            view.put("transcode", new JsonObject()
                    .put("framesDecoded", m.transcode().framesDecoded())
                    .put("wallMs", m.transcode().wallMs())
                    .put("cpuMs", m.transcode().cpuMs()));
        }
        JsonObject links = new JsonObject();
        urls.forEach(links::put);
        return view.put("urls", links).put("urlsExpireInSeconds", urlsTtlSeconds);
    }

    /** One entry of {@code GET /api/clips}. */
    static JsonObject listItem(String id, String kind, String event, String device, Instant at, long durationMs,
                               String status, Instant expiresAt, String thumbnailUrl) {
        return new JsonObject().put("id", id).put("kind", kind).put("event", event).put("deviceId", device)
                .put("recordedAt", at.toString()).put("durationMs", durationMs).put("status", status)
                .put("expiresAt", instant(expiresAt)).put("thumbnailUrl", thumbnailUrl);
    }

    private static String instant(Instant at) {
        return at == null ? null : at.toString();
    }
}
