package dev.convoy.ingest.cluster;

import dev.convoy.ingest.catalog.ClipCatalog;
import dev.convoy.ingest.catalog.ClipsApi;
import dev.convoy.ingest.clip.ClipRecord;
import dev.convoy.ingest.clip.ClipStatus;
import dev.convoy.ingest.tus.UploadState;
import dev.convoy.ingest.upload.UploadMetadata;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clip API's view of the other nodes: each is asked (with the owner's own token) for
 * what it holds in flight, and uploads parked in object storage are read there. A node that
 * does not answer is left out of a listing, and makes a clip found nowhere else a 503 rather
 * than a 404.
 */
public final class ClusterClips implements ClipsApi.OtherNodes {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterClips.class);

    private final Vertx vertx;
    private final PeerCalls calls;
    private final Handoff handoff;
    private final ClipCatalog catalog;

    public ClusterClips(Vertx vertx, HttpClientAgent client, Peers peers, Handoff handoff, ClipCatalog catalog) {
        this.vertx = vertx;
        this.calls = new PeerCalls(vertx, client, peers);
        this.handoff = handoff;
        this.catalog = catalog;
    }

    private Future<List<PeerCalls.Answer>> ask(RoutingContext rc, HttpMethod method, String pathAndQuery) {
        return calls.ask(rc, method, pathAndQuery, null, Map.of());
    }

    @Override
    public Future<List<JsonObject>> inFlight(RoutingContext rc, String owner, ClipCatalog.ListQuery query) {
        String q = rc.request().query();
        Future<List<JsonObject>> fromPeers = ask(rc, HttpMethod.GET, "/api/clips" + (q == null ? "" : "?" + q)).map(answers -> {
            List<JsonObject> items = new ArrayList<>();
            for (PeerCalls.Answer a : answers) {
                if (a != null && a.status() == 200) {
                    try {
                        a.body().toJsonObject().getJsonArray("items").forEach(i -> items.add((JsonObject) i));
                    } catch (RuntimeException e) {
                        LOG.warn("event=peer_listing_unreadable cause=\"{}\"", e.toString());
                    }
                }
            }
            return items;
        });
        Future<List<JsonObject>> parked = handoff.parkedOf(ctx(), owner)
                .map(uploads -> catalog.inFlightItems(owner, query, uploads.stream().filter(u -> !u.isPartial())
                        .map(ClusterClips::record).toList()))
                .recover(err -> {
                    LOG.warn("event=parked_listing_failed cause=\"{}\"", err.toString());
                    return Future.succeededFuture(List.of());
                });
        return Future.all(fromPeers, parked).map(both -> {
            List<JsonObject> items = new ArrayList<>(fromPeers.result());
            items.addAll(parked.result());
            return items;
        });
    }

    @Override
    public Future<JsonObject> view(RoutingContext rc, String owner, String id) {
        if (!Handoff.isUploadId(id)) {
            return Future.succeededFuture(null);
        }
        return handoff.parked(ctx(), owner, id).compose(parked -> {
            if (parked != null && !parked.isPartial()) {
                return Future.succeededFuture(catalog.inFlightView(record(parked)));
            }
            return ask(rc, HttpMethod.GET, "/api/clips/" + id).map(answers -> {
                for (PeerCalls.Answer a : answers) {
                    if (a != null && a.status() == 200) {
                        return a.body().toJsonObject();
                    }
                }
                if (answers.stream().anyMatch(Objects::isNull)) {
                    throw new Unreachable("a node did not answer");
                }
                return null;
            });
        });
    }

    @Override
    public Future<Integer> delete(RoutingContext rc, String owner, String id) {
        if (!Handoff.isUploadId(id)) {
            return Future.succeededFuture(404);
        }
        return handoff.deleteParked(ctx(), owner, id).compose(deleted -> {
            if (deleted) {
                return Future.succeededFuture(204);
            }
            return ask(rc, HttpMethod.DELETE, "/api/clips/" + id).map(answers -> {
                for (PeerCalls.Answer a : answers) {
                    if (a != null && (a.status() == 204 || a.status() == 409)) {
                        return a.status();
                    }
                }
                if (answers.stream().anyMatch(Objects::isNull)) {
                    throw new Unreachable("a node did not answer");
                }
                return 404;
            });
        });
    }

    private Context ctx() {
        return vertx.getOrCreateContext();
    }

    /** A parked upload as the clip it is: uploading, or processing once every byte is in. */
    private static ClipRecord record(UploadState u) {
        return new ClipRecord(u.id(), u.owner(), u.deviceId(), u.isComplete() ? ClipStatus.PROCESSING : ClipStatus.UPLOADING,
                UploadMetadata.parse(u.rawMetadata(), u.createdAt()), u.length(), u.offset(), u.createdAt(), u.updatedAt());
    }
}
