package dev.convoy.ingest.catalog;

import dev.convoy.ingest.clip.ClipRecord;
import dev.convoy.ingest.clip.ClipStatus;
import dev.convoy.ingest.clip.Retention;
import dev.convoy.ingest.storage.ClipManifest;
import dev.convoy.ingest.storage.ClipManifestJson;
import dev.convoy.ingest.storage.ContentDisposition;
import dev.convoy.ingest.storage.ExpiryMarker;
import dev.convoy.ingest.storage.IndexEntry;
import dev.convoy.ingest.storage.MediaLinks;
import dev.convoy.ingest.storage.ObjectKeys;
import dev.convoy.ingest.storage.ObjectStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The clips an owner can see. Clips still on their way are tracked here as the upload stage
 * reports them; a committed clip is whatever its manifest in object storage says.
 */
public final class ClipCatalog {

    private final ObjectStore store;
    /** Where clients download objects: presigned store URLs, or Convoy's own links for the embedded store. */
    private final MediaLinks links;
    private final Duration presignTtl;
    private final Retention retention;
    private final Clock clock;
    private final Map<String, ClipRecord> inFlight = new ConcurrentHashMap<>();
    /** Object keys by role of the pictures stored for clips in flight (made while they arrived). */
    private final Map<String, Map<String, String>> pictures = new ConcurrentHashMap<>();

    public ClipCatalog(ObjectStore store, MediaLinks links, Duration presignTtl, Retention retention, Clock clock) {
        this.store = store;
        this.links = links;
        this.presignTtl = presignTtl;
        this.retention = retention;
        this.clock = clock;
    }

    /** Registers {@code convoy_clips_in_flight{status}}: this node's clips uploading, and processing. */
    public ClipCatalog withGauges(MeterRegistry registry) {
        for (ClipStatus status : List.of(ClipStatus.UPLOADING, ClipStatus.PROCESSING)) {
            Gauge.builder("convoy.clips.in.flight", inFlight, clips -> clips.values().stream()
                            .filter(c -> c.status() == status).count())
                    .tag("status", status.wireName())
                    .description("Clips this node holds that are uploading (not all their bytes in) or processing")
                    .register(registry);
        }
        return this;
    }

    /** Records where a clip is; committed clips are dropped (their manifest takes over). */
    public void track(ClipRecord clip) {
        if (clip.status().isFinal()) {
            inFlight.computeIfPresent(clip.id(), (id, was) -> {
                pictures.remove(id);
                return null;
            });
        } else {
            inFlight.put(clip.id(), clip);
        }
    }

    public void forget(String id) {
        inFlight.computeIfPresent(id, (clipId, was) -> {
            pictures.remove(clipId);
            return null;
        });
    }

    /** Pictures of a clip in flight were stored (its object keys by role): its views link them until it is committed. */
    public void pictured(String id, Map<String, String> keys) {
        // Checked and merged in one step: a clip committed or forgotten meanwhile gets no stray entry.
        inFlight.computeIfPresent(id, (clipId, clip) -> {
            pictures.merge(id, Map.copyOf(keys), (before, now) -> {
                Map<String, String> both = new LinkedHashMap<>(before);
                both.putAll(now);
                return Map.copyOf(both);
            });
            return clip;
        });
    }

    /** A presigned link to the thumbnail stored so far of a clip in flight, or null. */
    private String thumbnailUrl(String id) {
        String key = pictures.getOrDefault(id, Map.of()).get("thumbnail");
        return key == null ? null : links.link(key, presignTtl, null);
    }

    /** Presigned links to the pictures stored so far of a clip in flight; empty when there are none. */
    private Map<String, String> pictureUrls(String id) {
        Map<String, String> urls = new LinkedHashMap<>();
        pictures.getOrDefault(id, Map.of()).forEach((role, key) -> urls.put(role, links.link(key, presignTtl, null)));
        return urls;
    }

    /** What an owner asks the listing for; null fields do not filter. */
    public record ListQuery(String kind, String event, String device, String status, Instant from, Instant to,
                            int limit, String cursorKey) {
    }

    /**
     * An owner's clips, newest first: on the first page the clips still uploading or processing
     * (from this node's tracking), then the committed ones from the owner's listing index in
     * object storage, read 1,000 keys a request with no object read per clip. The cursor is
     * the last index key returned.
     */
    public Future<JsonObject> list(Context ctx, String owner, ListQuery q) {
        return list(ctx, owner, q, List.of());
    }

    /**
     * As {@link #list(Context, String, ListQuery)}, with {@code elsewhere}: listing items of the
     * owner's clips in flight on other nodes, already filtered by the query, merged into the
     * first page by time (this node's own record of a clip wins).
     */
    public Future<JsonObject> list(Context ctx, String owner, ListQuery q, List<JsonObject> elsewhere) {
        List<JsonObject> items = new ArrayList<>();
        if (q.cursorKey() == null) {
            List<JsonObject> mine = inFlightItems(owner, q, inFlight.values());
            Set<String> ids = new HashSet<>();
            mine.forEach(i -> ids.add(i.getString("id")));
            Stream.concat(mine.stream(), elsewhere.stream().filter(i -> ids.add(i.getString("id"))))
                    .sorted(Comparator.comparing((JsonObject i) -> i.getString("recordedAt")).reversed())
                    .limit(q.limit())
                    .forEach(items::add);
        }
        String prefix = indexPrefix(owner, q.kind());
        String startAfter = q.cursorKey();
        if (q.to() != null) {
            // Keys sort newest first: an end time is a seek, not a scan.
            String seek = IndexEntry.startAfterFor(prefix, q.to());
            startAfter = startAfter == null || seek.compareTo(startAfter) > 0 ? seek : startAfter;
        }
        Promise<JsonObject> done = Promise.promise();
        scan(ctx, owner, prefix, q, startAfter, items, done);
        return done.future();
    }

    /** Listing items of {@code owner}'s clips among {@code clips} that the query asks for, newest first. */
    public List<JsonObject> inFlightItems(String owner, ListQuery q, Collection<ClipRecord> clips) {
        return clips.stream()
                .filter(c -> c.owner().equals(owner))
                .sorted(Comparator.comparing(ClipCatalog::timeOf).reversed())
                .filter(c -> matches(q, c.metadata().kind().wireName(), c.metadata().event(), c.deviceId(),
                        c.status().wireName(), timeOf(c)))
                .limit(q.limit())
                .map(c -> ClipView.listItem(c.id(), c.metadata().kind().wireName(), c.metadata().event(), c.deviceId(),
                        timeOf(c), 0, c.status().wireName(), retention.expiresAt(c.metadata().kind(), c.createdAt()),
                        thumbnailUrl(c.id())).put("size", c.length()).put("received", c.offset()))
                .toList();
    }

    /** This node's listing items of {@code owner}'s clips in flight (what a peer asks for). */
    public List<JsonObject> inFlightItems(String owner, ListQuery q) {
        return inFlightItems(owner, q, inFlight.values());
    }

    /** The API view of a clip in flight (here, or known from another node). */
    public JsonObject inFlightView(ClipRecord clip) {
        return ClipView.inFlight(clip, retention.expiresAt(clip.metadata().kind(), clip.createdAt()), pictureUrls(clip.id()));
    }

    /** The index a listing reads: the kind's when it filters by kind, else the owner's whole one. */
    public static String indexPrefix(String owner, String kind) {
        return kind == null ? IndexEntry.prefix(owner) : IndexEntry.prefix(owner, kind);
    }

    private void scan(Context ctx, String owner, String prefix, ListQuery q, String startAfter, List<JsonObject> items,
                      Promise<JsonObject> done) {
        if (items.size() >= q.limit()) {
            // Clips in flight filled the first page: the next one starts at the top of the index.
            done.complete(page(items, startAfter == null ? prefix : startAfter));
            return;
        }
        store.listKeys(ctx, prefix, startAfter, 1000).onFailure(done::fail).onSuccess(page -> {
            String last = startAfter;
            for (String key : page.keys()) {
                last = key;
                IndexEntry e = IndexEntry.parse(key);
                if (e == null || !e.owner().equals(owner) || e.expiredBy(clock.instant())) {
                    // An expired clip is hidden at once, whenever the sweep or the lifecycle rule deletes it.
                    continue;
                }
                if (q.from() != null && e.at().isBefore(q.from())) {
                    // Newest first: everything after this is older still.
                    done.complete(page(items, null));
                    return;
                }
                if (matches(q, e.kind(), e.event(), e.deviceId(), e.status(), e.at())) {
                    String thumb = e.status().equals(ClipStatus.READY.wireName())
                            ? links.link(ObjectKeys.of(owner, e.clipId(), "thumb.jpg"), presignTtl, null) : null;
                    items.add(ClipView.listItem(e.clipId(), e.kind(), e.event(), e.deviceId(), e.at(), e.durationMs(), e.status(),
                            e.expiresAt(), thumb));
                    if (items.size() == q.limit()) {
                        done.complete(page(items, page.truncated() || !key.equals(page.keys().get(page.keys().size() - 1))
                                ? key : null));
                        return;
                    }
                }
            }
            if (page.truncated()) {
                scan(ctx, owner, prefix, q, last, items, done);
            } else {
                done.complete(page(items, null));
            }
        });
    }

    private static boolean matches(ListQuery q, String kind, String event, String device, String status, Instant at) {
        return (q.kind() == null || q.kind().equals(kind))
                && (q.event() == null || q.event().equals(event))
                && (q.device() == null || q.device().equals(device))
                && (q.status() == null || q.status().equals(status))
                && (q.from() == null || !at.isBefore(q.from()))
                && (q.to() == null || at.isBefore(q.to()));
    }

    private static Instant timeOf(ClipRecord c) {
        return c.metadata().recordedAt() != null ? c.metadata().recordedAt() : c.createdAt();
    }

    private static JsonObject page(List<JsonObject> items, String lastKey) {
        return new JsonObject().put("items", new JsonArray(items))
                .put("nextCursor", lastKey == null ? null
                        : Base64.getUrlEncoder().withoutPadding().encodeToString(lastKey.getBytes(StandardCharsets.UTF_8)));
    }

    /** The clip of {@code owner} still uploading or processing, or null. */
    public ClipRecord inFlight(String owner, String id) {
        ClipRecord clip = inFlight.get(id);
        return clip != null && clip.owner().equals(owner) ? clip : null;
    }

    /**
     * Deletes a committed clip of {@code owner}: its index entry and manifest first, so that
     * readers stop seeing the clip at once, then every other object under its prefix, then its
     * expiry marker. Completes with false when the owner has no such committed clip.
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
            ClipManifest clip = ClipManifestJson.decode(new JsonObject(bytes));
            Future<?> unlisted = Future.all(clip.indexKeys().stream().map(key -> store.delete(ctx, key)).toList());
            return unlisted.compose(v -> store.delete(ctx, manifest))
                    .compose(v -> store.deletePrefix(ctx, ObjectKeys.prefix(owner, id)))
                    .compose(n -> clip.expiresAt() == null ? Future.succeededFuture()
                            : store.delete(ctx, new ExpiryMarker(clip.expiresAt(), owner, id).key()))
                    .map(v -> true);
        });
    }

    /** The manifest of {@code owner}'s committed clip {@code id}, or null when there is none (or it has expired). */
    public Future<ClipManifest> committed(Context ctx, String owner, String id) {
        if (!id.matches("[0-9a-f]{32}")) {
            return Future.succeededFuture(null);
        }
        return store.getSmall(ctx, ObjectKeys.of(owner, id, ObjectKeys.MANIFEST)).map(bytes -> {
            if (bytes == null) {
                return null;
            }
            ClipManifest manifest = ClipManifestJson.decode(new JsonObject(bytes));
            return manifest.isExpiredAt(clock.instant()) ? null : manifest;
        });
    }

    /** The API view of one clip of {@code owner}, or null when there is no such clip for that owner. */
    public Future<JsonObject> view(Context ctx, String owner, String id) {
        ClipRecord clip = inFlight.get(id);
        if (clip != null) {
            return Future.succeededFuture(clip.owner().equals(owner) ? inFlightView(clip) : null);
        }
        return committed(ctx, owner, id).map(manifest -> manifest == null ? null
                : ClipView.committed(manifest, urls(manifest), presignTtl.toSeconds()));
    }

    /** Presigned links: the original (downloaded under its camera file name) and, when ready, each rendition. */
    private Map<String, String> urls(ClipManifest manifest) {
        Map<String, String> urls = new LinkedHashMap<>();
        urls.put("original", links.link(manifest.original().key(), presignTtl, downloadName(manifest)));
        if (manifest.status() == ClipStatus.READY) {
            manifest.renditions().forEach((role, r) -> urls.put(role, links.link(r.key(), presignTtl, null)));
        }
        return urls;
    }

    private static String downloadName(ClipManifest manifest) {
        String camera = manifest.metadata().filename() == null ? "" : ContentDisposition.baseName(manifest.metadata().filename());
        if (!camera.isEmpty()) {
            return camera;
        }
        String key = manifest.original().key();
        return manifest.clipId() + key.substring(key.lastIndexOf('.'));
    }
}
