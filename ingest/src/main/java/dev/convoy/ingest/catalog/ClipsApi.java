package dev.convoy.ingest.catalog;

import dev.convoy.ingest.auth.DeviceTokens;
import dev.convoy.ingest.clip.ClipKind;
import dev.convoy.ingest.clip.ClipRecord;
import dev.convoy.ingest.clip.ClipStatus;
import dev.convoy.ingest.storage.IndexEntry;
import dev.convoy.ingest.web.ApiErrors;
import dev.convoy.ingest.web.OwnerRequests;
import dev.convoy.ingest.web.PeerRequests;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The JSON API over the catalog at {@code /api/}. */
public final class ClipsApi {

    private static final Logger LOG = LoggerFactory.getLogger(ClipsApi.class);

    /** Forgets a clip's upload state on this node (the upload endpoint's side of a deletion). */
    public interface UploadRemover {
        /**
         * Removes the upload of clip {@code id} of {@code owner}, if this node has it.
         *
         * @param req the deleting request, cut off if it competes with an upload's own; null for the retention sweep
         */
        Future<Void> remove(String owner, String id, HttpServerRequest req);
    }

    /**
     * The owner's clips on other nodes (uploading or processing there, or parked in object
     * storage by a node that stopped): what makes the API answer the same from every node.
     */
    public interface OtherNodes {
        /** Listing items of the owner's clips in flight elsewhere that the request's query asks for. */
        Future<List<JsonObject>> inFlight(RoutingContext rc, String owner, ClipCatalog.ListQuery query);

        /**
         * The view of the owner's clip in flight elsewhere, or null when no node has it; fails
         * with {@link Unreachable} when none had it but some node did not answer.
         */
        Future<JsonObject> view(RoutingContext rc, String owner, String id);

        /** Deletes the owner's clip in flight elsewhere: the status of the node that had it (204, 409), or 404. */
        Future<Integer> delete(RoutingContext rc, String owner, String id);

        static OtherNodes none() {
            return new OtherNodes() {
                @Override
                public Future<List<JsonObject>> inFlight(RoutingContext rc, String owner, ClipCatalog.ListQuery query) {
                    return Future.succeededFuture(List.of());
                }

                @Override
                public Future<JsonObject> view(RoutingContext rc, String owner, String id) {
                    return Future.succeededFuture(null);
                }

                @Override
                public Future<Integer> delete(RoutingContext rc, String owner, String id) {
                    return Future.succeededFuture(404);
                }
            };
        }

        /** Some node could not be asked, so a clip not found may still exist. */
        final class Unreachable extends RuntimeException {
            private static final long serialVersionUID = 1L;

            public Unreachable(String message) {
                super(message);
            }
        }
    }

    /**
     * A clip processing this long after its last byte is stuck, whatever the reason: its owner
     * may delete it. The longest clip allowed (2 h) has a transcode deadline of about 8 h.
     */
    static final Duration STUCK_AFTER = Duration.ofHours(12);

    private final ClipCatalog catalog;
    private final DeviceTokens tokens;
    private final UploadRemover uploads;
    private final Clock clock;
    private final OtherNodes others;
    /** Whether there are other nodes to ask. */
    private final boolean clustered;

    public ClipsApi(ClipCatalog catalog, DeviceTokens tokens, UploadRemover uploads, Clock clock) {
        this(catalog, tokens, uploads, clock, null);
    }

    /** The API of one node among several; {@code others} (null for a single node) asks the rest. */
    public ClipsApi(ClipCatalog catalog, DeviceTokens tokens, UploadRemover uploads, Clock clock, OtherNodes others) {
        this.others = others == null ? OtherNodes.none() : others;
        this.clustered = others != null;
        this.clock = clock;
        this.catalog = catalog;
        this.tokens = tokens;
        this.uploads = uploads;
    }

    public void mount(Router router) {
        router.get("/api/clips").handler(this::listClips);
        router.get("/api/clips/:id").handler(this::getClip);
        router.delete("/api/clips/:id").handler(this::deleteClip);
    }

    /**
     * Deletes a clip with an owner token: every object of a committed clip (manifest first),
     * or an upload still in progress, and the upload state either way. A clip being
     * transcoded is refused (409) until it is ready.
     */
    private void deleteClip(RoutingContext rc) {
        String id = rc.pathParam("id");
        OwnerRequests.asOwner(tokens, rc, "deletes clips", owner -> deletion(rc, owner, id).onSuccess(outcome -> {
            switch (outcome) {
                case DELETED -> {
                    LOG.info("event=clip_deleted clip={}", id);
                    rc.response().setStatusCode(204).end();
                }
                case NOT_FOUND -> ApiErrors.send(rc, 404, "clip_not_found", "No clip " + id + " for this owner.");
                case BUSY -> ApiErrors.send(rc, 409, "clip_busy", "The clip is being transcoded; delete it once it is ready.");
            }
        }).onFailure(err -> failed(rc, err)));
    }

    private Future<Deletion> deletion(RoutingContext rc, String owner, String id) {
        HttpServerRequest req = rc.request();
        ClipRecord inFlight = catalog.inFlight(owner, id);
        if (inFlight != null && inFlight.status() == ClipStatus.PROCESSING
                && inFlight.updatedAt().plus(STUCK_AFTER).isAfter(clock.instant())) {
            return Future.succeededFuture(Deletion.BUSY);
        }
        if (inFlight != null) {
            return uploads.remove(owner, id, req).map(Deletion.DELETED);
        }
        if (PeerRequests.fromPeer(req)) {
            // Another node asks for what this one holds; it deletes a committed clip itself.
            return Future.succeededFuture(Deletion.NOT_FOUND);
        }
        return catalog.deleteCommitted(rc.vertx().getOrCreateContext(), owner, id)
                .compose(found -> found
                        ? uploads.remove(owner, id, req).map(Deletion.DELETED)
                        : others.delete(rc, owner, id).map(status -> status == 204 ? Deletion.DELETED
                        : status == 409 ? Deletion.BUSY : Deletion.NOT_FOUND));
    }

    private enum Deletion { DELETED, NOT_FOUND, BUSY }

    /** {@code GET /api/clips?kind=&event=&device=&status=&from=&to=&limit=&cursor=}, owner tokens only. */
    private void listClips(RoutingContext rc) {
        OwnerRequests.asOwner(tokens, rc, "lists clips", owner -> {
            ClipCatalog.ListQuery query;
            try {
                query = query(rc.queryParams(), owner);
            } catch (IllegalArgumentException e) {
                ApiErrors.send(rc, 400, "invalid_parameter", e.getMessage());
                return;
            }
            if (PeerRequests.fromPeer(rc.request())) {
                // Another node lists: only this node's clips in flight, it reads the index itself.
                json(rc, new JsonObject().put("items", new JsonArray(catalog.inFlightItems(owner, query))));
                return;
            }
            Future<List<JsonObject>> elsewhere = query.cursorKey() == null ? others.inFlight(rc, owner, query)
                    : Future.succeededFuture(List.of());
            elsewhere.compose(items -> catalog.list(rc.vertx().getOrCreateContext(), owner, query, items))
                    .onSuccess(page -> rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                            .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(page.encode()))
                    .onFailure(err -> ApiErrors.failed(rc, err));
        });
    }

    private static void json(RoutingContext rc, JsonObject body) {
        rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(body.encode());
    }

    /**
     * The listing an owner asks for in {@code params}; refuses a bad parameter with an
     * {@link IllegalArgumentException} whose message is the sentence the 400 answer carries.
     */
    public static ClipCatalog.ListQuery query(MultiMap params, String owner) {
        String kind = params.get("kind");
        if (kind != null && ClipKind.fromWire(kind).isEmpty()) {
            throw new IllegalArgumentException("kind must be incident, manual or drive, not '" + kind + "'.");
        }
        String status = params.get("status");
        if (status != null && Arrays.stream(ClipStatus.values()).noneMatch(s -> s.wireName().equals(status))) {
            throw new IllegalArgumentException("status must be uploading, processing, ready or failed, not '" + status + "'.");
        }
        int limit = 50;
        String limitParam = params.get("limit");
        if (limitParam != null) {
            try {
                limit = Integer.parseInt(limitParam);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > 200) {
                throw new IllegalArgumentException("limit must be a whole number from 1 to 200, not '" + limitParam + "'.");
            }
        }
        String cursorKey = null;
        String cursor = params.get("cursor");
        if (cursor != null) {
            try {
                cursorKey = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                cursorKey = "";
            }
            if (!cursorKey.startsWith(ClipCatalog.indexPrefix(owner, kind))) {
                throw new IllegalArgumentException("cursor is not one this listing returned; start again without it.");
            }
        }
        return new ClipCatalog.ListQuery(kind, params.get("event"), params.get("device"), status,
                instant(params, "from"), instant(params, "to"), limit, cursorKey);
    }

    private static Instant instant(MultiMap params, String name) {
        String value = params.get(name);
        if (value == null) {
            return null;
        }
        Instant at;
        try {
            at = OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException(name + " must be an ISO-8601 time with an offset, e.g. 2026-11-27T08:00:00Z, not '"
                    + value + "'.");
        }
        if (at.isBefore(IndexEntry.EARLIEST) || at.isAfter(IndexEntry.LATEST)) {
            throw new IllegalArgumentException(name + " must lie between " + IndexEntry.EARLIEST + " and " + IndexEntry.LATEST
                    + ", not '" + value + "'.");
        }
        return at;
    }


    private void getClip(RoutingContext rc) {
        String id = rc.pathParam("id");
        tokens.authenticate(rc.request().getHeader(HttpHeaders.AUTHORIZATION))
                .compose(who -> {
                    if (PeerRequests.fromPeer(rc.request())) {
                        ClipRecord clip = catalog.inFlight(who.owner(), id);
                        return Future.succeededFuture(clip == null ? null : catalog.inFlightView(clip));
                    }
                    Context ctx = rc.vertx().getOrCreateContext();
                    return catalog.view(ctx, who.owner(), id)
                            .compose(view -> view != null ? Future.succeededFuture(view) : others.view(rc, who.owner(), id))
                            // Committed on another node while it was being asked: its manifest is there now.
                            .compose(view -> view != null || !clustered ? Future.succeededFuture(view)
                                    : catalog.view(ctx, who.owner(), id));
                })
                .onSuccess(view -> {
                    if (view == null) {
                        ApiErrors.send(rc, 404, "clip_not_found", "No clip " + id + " for this owner.");
                    } else {
                        rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                                .end(view.encodePrettily());
                    }
                })
                .onFailure(err -> failed(rc, err));
    }

    private static void failed(RoutingContext rc, Throwable err) {
        if (err instanceof OtherNodes.Unreachable) {
            rc.response().putHeader("Retry-After", "5");
            ApiErrors.send(rc, 503, "node_unreachable", "The clip may be on a node that cannot be reached right now;"
                    + " ask again after the Retry-After seconds.");
        } else {
            ApiErrors.failed(rc, err);
        }
    }

}
