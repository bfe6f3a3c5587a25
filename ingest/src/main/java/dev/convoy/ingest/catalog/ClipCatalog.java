package dev.convoy.ingest.catalog;

import dev.convoy.ingest.clip.ClipRecord;
import dev.convoy.ingest.clip.ClipStatus;
import dev.convoy.ingest.storage.ObjectKeys;
import dev.convoy.ingest.storage.ObjectStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clips an owner can see. Clips still on their way are tracked here as the upload stage
 * reports them; a committed clip is whatever its manifest in object storage says.
 */
public final class ClipCatalog {

    private final ObjectStore store;
    private final Duration presignTtl;
    private final Map<String, ClipRecord> inFlight = new ConcurrentHashMap<>();

    public ClipCatalog(ObjectStore store, Duration presignTtl) {
        this.store = store;
        this.presignTtl = presignTtl;
    }

    /** Records where a clip is; committed clips are dropped (their manifest takes over). */
    public void track(ClipRecord clip) {
        if (clip.status().isFinal()) {
            inFlight.remove(clip.id());
        } else {
            inFlight.put(clip.id(), clip);
        }
    }

    public void forget(String id) {
        inFlight.remove(id);
    }

    /** The clip of {@code owner} still uploading or processing, or null. */
    public ClipRecord inFlight(String owner, String id) {
        ClipRecord clip = inFlight.get(id);
        return clip != null && clip.owner().equals(owner) ? clip : null;
    }

    /**
     * Deletes a committed clip of {@code owner}: the manifest first, so that readers stop seeing
     * the clip at once, then every other object under its prefix. Completes with false when
     * the owner has no such committed clip.
     */
    public Future<Boolean> deleteCommitted(Context ctx, String owner, String id) {
        if (!id.matches("[0-9a-f]{32}")) {
            return Future.succeededFuture(false);
        }
        String manifest = ObjectKeys.of(owner, id, ObjectKeys.MANIFEST);
        return store.getSmall(ctx, manifest).compose(bytes -> {
            if (bytes == null) {
                return Future.succeededFuture(false);
            }
            return store.delete(ctx, manifest)
                    .compose(v -> store.deletePrefix(ctx, ObjectKeys.prefix(owner, id)))
                    .map(n -> true);
        });
    }

    /** The API view of one clip of {@code owner}, or null when there is no such clip for that owner. */
    public Future<JsonObject> view(Context ctx, String owner, String id) {
        ClipRecord clip = inFlight.get(id);
        if (clip != null) {
            return Future.succeededFuture(clip.owner().equals(owner) ? inFlightView(clip) : null);
        }
        if (!id.matches("[0-9a-f]{32}")) {
            return Future.succeededFuture(null);
        }
        return store.getSmall(ctx, ObjectKeys.of(owner, id, ObjectKeys.MANIFEST))
                .map(bytes -> bytes == null ? null : committedView(new JsonObject(bytes)));
    }

    private static JsonObject inFlightView(ClipRecord clip) {
        return new JsonObject()
                .put("id", clip.id())
                .put("status", clip.status().wireName())
                .put("owner", clip.owner())
                .put("deviceId", clip.deviceId())
                .put("metadata", clip.metadata().toJson())
                .put("size", clip.length())
                .put("received", clip.offset())
                .put("createdAt", clip.createdAt().toString());
    }

    private JsonObject committedView(JsonObject manifest) {
        JsonObject metadata = manifest.getJsonObject("metadata");
        JsonObject original = manifest.getJsonObject("original");
        JsonObject view = new JsonObject()
                .put("id", manifest.getString("clipId"))
                .put("status", manifest.getString("status"))
                .put("owner", manifest.getString("owner"))
                .put("deviceId", manifest.getString("deviceId"))
                .put("metadata", metadata)
                .put("size", original.getLong("size"))
                .put("received", original.getLong("size"))
                .put("sha256", original.getString("sha256"))
                .put("createdAt", manifest.getString("uploadedAt"))
                .put("committedAt", manifest.getString("committedAt"));
        if (manifest.containsKey("probe")) {
            view.put("probe", manifest.getJsonObject("probe"));
        }
        if (manifest.containsKey("failure")) {
            view.put("failure", manifest.getJsonObject("failure"));
        }
        JsonObject urls = new JsonObject()
                .put("original", store.presignGet(original.getString("key"), presignTtl, downloadName(manifest)));
        if (ClipStatus.READY.wireName().equals(manifest.getString("status"))) {
            JsonObject renditions = manifest.getJsonObject("renditions");
            for (String role : renditions.fieldNames()) {
                urls.put(role, store.presignGet(renditions.getJsonObject(role).getString("key"), presignTtl, null));
            }
        }
        return view.put("urls", urls).put("urlsExpireInSeconds", presignTtl.toSeconds());
    }

    private static String downloadName(JsonObject manifest) {
        String filename = manifest.getJsonObject("metadata").getString("filename");
        if (filename != null) {
            return filename;
        }
        String key = manifest.getJsonObject("original").getString("key");
        return manifest.getString("clipId") + key.substring(key.lastIndexOf('.'));
    }
}
