package dev.convoy.ingest.cluster;

import dev.convoy.ingest.catalog.ClipCatalog;
import dev.convoy.ingest.catalog.ClipsApi;
import dev.convoy.ingest.clip.ClipRecord;
import dev.convoy.ingest.clip.ClipStatus;
import dev.convoy.ingest.tus.UploadState;
import dev.convoy.ingest.upload.UploadMetadata;
import dev.convoy.ingest.web.PeerRequests;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clip API's view of the other nodes: each is asked (with the owner's own token) for
 * what it holds in flight, and uploads parked in object storage are read there. A node that
 * does not answer within {@link #ASK_TIMEOUT_MS} is left out of a listing, and makes a clip
 * found nowhere else a 503 rather than a 404.
 */
public final class ClusterClips implements ClipsApi.OtherNodes {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterClips.class);
    private static final long ASK_TIMEOUT_MS = 3_000;

    private final Vertx vertx;
    private final HttpClientAgent client;
    private final Peers peers;
    private final Handoff handoff;
    private final ClipCatalog catalog;

    public ClusterClips(Vertx vertx, HttpClientAgent client, Peers peers, Handoff handoff, ClipCatalog catalog) {
        this.vertx = vertx;
        this.client = client;
        this.peers = peers;
        this.handoff = handoff;
        this.catalog = catalog;
    }

    private record Answer(int status, Buffer body) {
    }

    /** What every other node answered ({@code null} for one that did not). */
    private Future<List<Answer>> ask(RoutingContext rc, HttpMethod method, String pathAndQuery) {
        String authorization = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
        return peers.all(vertx).compose(urls -> {
            List<Future<Answer>> asks = new ArrayList<>();
            for (URI url : urls) {
                asks.add(client.request(new RequestOptions().setMethod(method).setAbsoluteURI(url.resolve(pathAndQuery).toString())
                                .setConnectTimeout(ASK_TIMEOUT_MS).setIdleTimeout(ASK_TIMEOUT_MS))
                        .compose(req -> req.putHeader(HttpHeaders.AUTHORIZATION, authorization)
                                .putHeader(PeerRequests.FORWARDED_BY, peers.self())
                                .send()
                                .compose(res -> res.body().map(body -> new Answer(res.statusCode(), body))))
                        .recover(err -> {
                            LOG.info("event=peer_unanswered url={} cause=\"{}\"", url, err.toString());
                            return Future.succeededFuture(null);
                        }));
            }
            return Future.all(asks).map(all -> asks.stream().map(Future::result).toList());
        });
    }

    @Override
    public Future<List<JsonObject>> inFlight(RoutingContext rc, String owner, ClipCatalog.ListQuery query) {
        String q = rc.request().query();
        Future<List<JsonObject>> fromPeers = ask(rc, HttpMethod.GET, "/api/clips" + (q == null ? "" : "?" + q)).map(answers -> {
            List<JsonObject> items = new ArrayList<>();
            for (Answer a : answers) {
                if (a != null && a.status() == 200) {
                    a.body().toJsonObject().getJsonArray("items").forEach(i -> items.add((JsonObject) i));
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
        return handoff.parked(ctx(), owner, id).compose(parked -> {
            if (parked != null && !parked.isPartial()) {
                return Future.succeededFuture(catalog.inFlightView(record(parked)));
            }
            return ask(rc, HttpMethod.GET, "/api/clips/" + id).map(answers -> {
                for (Answer a : answers) {
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
        return handoff.deleteParked(ctx(), owner, id).compose(deleted -> {
            if (deleted) {
                return Future.succeededFuture(204);
            }
            return ask(rc, HttpMethod.DELETE, "/api/clips/" + id).map(answers -> {
                for (Answer a : answers) {
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
