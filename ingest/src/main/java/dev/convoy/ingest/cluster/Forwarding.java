package dev.convoy.ingest.cluster;

import dev.convoy.ingest.tus.TusEndpoint;
import dev.convoy.ingest.tus.TusError;
import dev.convoy.ingest.tus.TusException;
import dev.convoy.ingest.web.PeerRequests;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Any node takes any request for an upload. An upload's URL names the node that holds it
 * ({@code /files/{node}/{id}}); a request that reaches another node is forwarded there,
 * body and answer streamed with backpressure both ways. When that node is gone, object
 * storage says where the upload went: parked by a stopping node, it is adopted here
 * ({@link Handoff}); adopted elsewhere, the request goes on to the adopter. A request is
 * forwarded at most twice ({@value #FORWARDED_BY} lists the nodes it passed), and when the
 * node holding an upload cannot be reached the client gets 503 with Retry-After, never a
 * 404 that would start its upload over.
 */
public final class Forwarding {

    private static final Logger LOG = LoggerFactory.getLogger(Forwarding.class);
    /** The nodes a forwarded request passed, comma-separated; its presence marks a request from a peer. */
    public static final String FORWARDED_BY = PeerRequests.FORWARDED_BY;
    /** Marks a request whose upload was looked up again after an adoption it lost. */
    private static final String LOOKED_AGAIN = "convoy.lookedAgain";
    /** Marks a request this handler has routed once. */
    private static final String ROUTED = "convoy.routed";
    /** How long a forwarded request waits for a connection to its peer (pooled or new) before the client gets 503. */
    private static final long PEER_CONNECT_MS = 5_000;
    /** A peer's request that this node park an upload it holds (a part another node joins). */
    private static final String HAND_OVER = "Convoy-Hand-Over";
    /** The most nodes a request passes before one answers it. */
    private static final int MAX_HOPS = 2;
    /** A peer's answer to a body-less request for an upload it handed off: ask object storage. */
    private static final int NOT_HERE = 421;
    private static final int RETRY_SOON_SECONDS = 1;
    private static final int RETRY_UNREACHABLE_SECONDS = 5;
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "expect", "content-length");

    private final Peers peers;
    private final Handoff handoff;
    private final Predicate<String> isKept;
    private final Function<String, Future<String>> ownerOf;
    private final HttpClientAgent client;
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final MeterRegistry registry;

    /**
     * @param isKept  whether this node holds an upload
     * @param ownerOf the owner an {@code Authorization} header speaks for; fails when it speaks for nobody
     */
    public Forwarding(HttpClientAgent client, Peers peers, Handoff handoff, Predicate<String> isKept,
                      Function<String, Future<String>> ownerOf, MeterRegistry registry) {
        this.client = client;
        this.peers = peers;
        this.handoff = handoff;
        this.isKept = isKept;
        this.ownerOf = ownerOf;
        this.registry = registry;
        for (String outcome : List.of("relayed", "relayed_twice", "holder_unreachable", "failed", "not_here")) {
            count(outcome, 0);
        }
    }

    /**
     * The HTTP client nodes talk to each other with: a short connect timeout (an unreachable
     * node is told apart quickly), an idle timeout past the upload's own, many connections per
     * peer (each forwarded upload streams on one).
     */
    public static HttpClientAgent client(Vertx vertx, Duration idleTimeout) {
        return vertx.createHttpClient(new HttpClientOptions()
                        .setConnectTimeout(2_000)
                        .setIdleTimeout((int) idleTimeout.toSeconds() + 30)
                        .setKeepAlive(true)
                        .setDecompressionSupported(false),
                new PoolOptions().setHttp1MaxSize(256));
    }

    /** Mounted before the tus endpoint: requests for uploads held here pass straight through. */
    public void mount(Router router) {
        router.post("/files/:node/:id").handler(this::handOver);
        router.route("/files/:node/:id").handler(this::route);
        for (String path : List.of("/files", "/files/")) {
            router.post(path).handler(this::gatherParts);
        }
    }

    /**
     * A final concatenation may name parts that other nodes hold (a client uploading parts in
     * parallel through a load balancer spreads them): each such part is handed over to this
     * node first (its holder parks it, this node adopts it), then the endpoint joins them here.
     */
    private void gatherParts(RoutingContext rc) {
        HttpServerRequest req = rc.request();
        String concat = req.getHeader("Upload-Concat");
        if (!peers.clustered() || concat == null || !concat.trim().startsWith("final;")) {
            rc.next();
            return;
        }
        req.pause();
        List<String[]> remote = new ArrayList<>();
        for (String url : concat.trim().substring("final;".length()).trim().split("\\s+")) {
            String[] segments = url.split("/");
            if (segments.length >= 2) {
                String id = segments[segments.length - 1];
                String node = segments[segments.length - 2];
                if (Handoff.isUploadId(id) && !isKept.test(id) && !node.equals("files")) {
                    remote.add(new String[] {node, id});
                }
            }
        }
        if (remote.isEmpty()) {
            rc.next();
            return;
        }
        ownerOf.apply(req.getHeader(HttpHeaders.AUTHORIZATION)).onFailure(err -> rc.next()).onSuccess(owner -> {
            Context ctx = rc.vertx().getOrCreateContext();
            List<Future<Boolean>> gathered = new ArrayList<>();
            for (String[] part : remote) {
                gathered.add(askToHandOver(rc, part[0], part[1]).compose(v -> handoff.adopt(ctx, owner, part[1])));
            }
            Future.join(gathered).onComplete(ar -> {
                if (gathered.stream().anyMatch(Future::failed)) {
                    refuse(rc, TusError.NODE_UNREACHABLE.retryAfter(RETRY_UNREACHABLE_SECONDS,
                            "A node that holds a part named in Upload-Concat cannot be reached right now; retry after the "
                                    + "Retry-After seconds."));
                } else {
                    // Parts that were not there to gather are refused by the endpoint as for one node.
                    rc.next();
                }
            });
        });
    }

    /** Asks the part's holder to park it (nothing to ask when it is parked already, or its holder is this node). */
    private Future<Void> askToHandOver(RoutingContext rc, String node, String id) {
        URI holder = peers.urlOf(node);
        if (holder == null) {
            return Future.succeededFuture();
        }
        HttpServerRequest req = rc.request();
        return client.request(new RequestOptions().setMethod(HttpMethod.POST)
                        .setAbsoluteURI(holder.resolve("/files/" + node + "/" + id).toString()))
                .compose(out -> out.putHeader(FORWARDED_BY, peers.self()).putHeader(HAND_OVER, "park")
                        .putHeader("Tus-Resumable", "1.0.0")
                        .putHeader(HttpHeaders.AUTHORIZATION, req.getHeader(HttpHeaders.AUTHORIZATION))
                        .send())
                .compose(res -> res.body().compose(body -> res.statusCode() == 204 || res.statusCode() == 404
                        ? Future.succeededFuture()
                        : Future.failedFuture(new IllegalStateException("node " + node + " answered " + res.statusCode()))));
    }

    /** A peer gathering the parts of a final concatenation asks this node to park one it holds. */
    private void handOver(RoutingContext rc) {
        HttpServerRequest req = rc.request();
        String id = rc.pathParam("id");
        if (!peers.clustered() || !PeerRequests.fromPeer(req) || req.getHeader(HAND_OVER) == null) {
            rc.next();
            return;
        }
        req.pause();
        ownerOf.apply(req.getHeader(HttpHeaders.AUTHORIZATION)).onFailure(err -> rc.next()).onSuccess(owner -> {
            if (!handoff.isCompletePartOf(owner, id)) {
                // Not held here as a complete part of this owner's (parked already, or never): nothing to hand over.
                rc.response().setStatusCode(404).end();
                return;
            }
            handoff.park(rc.vertx().getOrCreateContext(), id).onComplete(ar -> rc.response()
                    .setStatusCode(ar.succeeded() && ar.result() ? 204 : 503).end());
        });
    }

    private void route(RoutingContext rc) {
        HttpServerRequest req = rc.request();
        String id = rc.pathParam("id");
        // Once routed here (a POST rerouted as PATCH comes back) or refused, a request is answered here.
        if (!peers.clustered() || req.method().equals(HttpMethod.OPTIONS) || !Handoff.isUploadId(id) || isKept.test(id)
                || rc.get(TusEndpoint.REFUSAL) != null || rc.get(ROUTED) != null) {
            rc.next();
            return;
        }
        rc.put(ROUTED, Boolean.TRUE);
        req.pause();
        int hops = hops(req);
        URI holder = hops == 0 ? peers.urlOf(rc.pathParam("node")) : null;
        if (holder == null) {
            elsewhere(rc, id, false, hops);
            return;
        }
        String trailer = req.getHeader("Trailer");
        if (trailer != null && trailer.toLowerCase(Locale.ROOT).contains("upload-checksum")) {
            // The HTTP client sends no trailers: passed on without it, the chunk would go unchecked.
            refuse(rc, TusError.TRAILER_NOT_FORWARDED.exception());
            return;
        }
        client.request(options(req, holder, rc.pathParam("node"), id))
                .onFailure(err -> {
                    // Not even connected: nothing of the request was sent, object storage may know more.
                    count("holder_unreachable");
                    LOG.info("event=forward_unreachable node={} upload={} cause=\"{}\"", rc.pathParam("node"), id, err.toString());
                    elsewhere(rc, id, true, hops);
                })
                .onSuccess(out -> relay(rc, out, hops, response -> {
                    if (response.statusCode() == NOT_HERE && !hasBody(req)) {
                        response.end();
                        elsewhere(rc, id, false, hops);
                        return true;
                    }
                    return false;
                }, () -> elsewhere(rc, id, true, hops)));
    }

    /**
     * Sends the request on through {@code out} and streams the answer back; {@code divert}
     * may take an answer over instead (it returns true when it did). When no answer comes,
     * a request without a body (nothing of it consumed) goes to {@code unanswered}; one with
     * a body, part of which may have gone, is refused for the client to retry.
     */
    private void relay(RoutingContext rc, HttpClientRequest out, int hops, Predicate<HttpClientResponse> divert,
                       Runnable unanswered) {
        HttpServerRequest req = rc.request();
        MultiMap headers = out.headers();
        req.headers().forEach((name, value) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                headers.add(name, value);
            }
        });
        headers.set(FORWARDED_BY, forwardedBy(req));
        if (req.getHeader("X-Forwarded-Host") == null && req.getHeader(HttpHeaders.HOST) != null) {
            headers.set("X-Forwarded-Host", req.getHeader(HttpHeaders.HOST));
            headers.set("X-Forwarded-Proto", req.scheme());
        }
        String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        Future<HttpClientResponse> sent;
        if (length != null) {
            headers.set(HttpHeaders.CONTENT_LENGTH, length);
            sent = out.send(req);
        } else if (hasBody(req)) {
            out.setChunked(true);
            sent = out.send(req);
        } else {
            req.resume();
            sent = out.send();
        }
        sent.onFailure(err -> {
            count("failed");
            LOG.info("event=forward_failed upload={} cause=\"{}\"", rc.pathParam("id"), err.toString());
            if (!hasBody(req)) {
                // A kept-alive connection to a node that has gone: nothing was consumed, look further.
                unanswered.run();
                return;
            }
            // Part of the body may have gone out, and no answer came: the client asks again (HEAD, then resumes).
            refuse(rc, TusError.NODE_UNREACHABLE.retryAfter(RETRY_SOON_SECONDS, TusError.NODE_UNREACHABLE.message()));
        }).onSuccess(response -> {
            if (divert.test(response)) {
                return;
            }
            count(hops == 0 ? "relayed" : "relayed_twice");
            HttpServerResponse res = rc.response().setStatusCode(response.statusCode());
            response.headers().forEach((name, value) -> {
                String lower = name.toLowerCase(Locale.ROOT);
                // CORS headers are this node's to set (its handler already has): twice, a browser refuses them.
                if ((!HOP_BY_HOP.contains(lower) || lower.equals("content-length")) && !lower.startsWith("access-control-")
                        && !lower.equals("vary")) {
                    res.headers().add(name, value);
                }
            });
            if (res.headers().get(HttpHeaders.CONTENT_LENGTH) == null && !req.method().equals(HttpMethod.HEAD)) {
                res.setChunked(true);
            }
            response.pipeTo(res).onFailure(err -> LOG.debug("event=forward_answer_cut upload={} cause=\"{}\"",
                    rc.pathParam("id"), err.toString()));
        });
    }

    /**
     * The upload is not here and the node its URL names did not take the request: object
     * storage says whether it was parked (adopt it here), adopted by another node (go there),
     * or neither (answer here: expired, committed, or unknown; or 503 when the node named was
     * unreachable and may come back with it).
     */
    private void elsewhere(RoutingContext rc, String id, boolean holderUnreachable, int hops) {
        HttpServerRequest req = rc.request();
        Context ctx = rc.vertx().getOrCreateContext();
        ownerOf.apply(req.getHeader(HttpHeaders.AUTHORIZATION))
                .onFailure(err -> rc.next())
                .onSuccess(owner -> handoff.locate(ctx, owner, id).onComplete(ar -> {
                    if (ar.failed()) {
                        LOG.warn("event=handoff_lookup_failed upload={} cause=\"{}\"", id, ar.cause().toString());
                        refuse(rc, TusError.STATE_UNAVAILABLE.retryAfter(RETRY_UNREACHABLE_SECONDS, TusError.STATE_UNAVAILABLE.message()));
                        return;
                    }
                    Handoff.Located where = ar.result();
                    if (where instanceof Handoff.Located.Parked
                            || (where instanceof Handoff.Located.Claimed c && peers.isSelf(c.node()))) {
                        adoptOrDefer(rc, owner, id, hops);
                    } else if (where instanceof Handoff.Located.Claimed c) {
                        toAdopter(rc, c.node(), hops);
                    } else if (holderUnreachable) {
                        refuse(rc, TusError.NODE_UNREACHABLE.retryAfter(RETRY_UNREACHABLE_SECONDS,
                                TusError.NODE_UNREACHABLE.message()));
                    } else {
                        rc.next();
                    }
                }));
    }

    private void adoptOrDefer(RoutingContext rc, String owner, String id, int hops) {
        if (!handoff.adopts()) {
            // A stopping node takes nothing in: the node that sent this adopts it, or the client asks again.
            if (hops > 0 && !hasBody(rc.request())) {
                count("not_here");
                rc.response().setStatusCode(NOT_HERE).end();
            } else {
                refuse(rc, TusError.NODE_UNREACHABLE.retryAfter(RETRY_SOON_SECONDS, TusError.NODE_UNREACHABLE.message()));
            }
            return;
        }
        handoff.adopt(rc.vertx().getOrCreateContext(), owner, id).onComplete(ar -> {
            if (ar.succeeded() && ar.result()) {
                rc.next();
            } else if (ar.succeeded() && rc.get(LOOKED_AGAIN) == null) {
                // Another node's claim came first: it holds the upload now. Looked up once more, no more.
                rc.put(LOOKED_AGAIN, Boolean.TRUE);
                elsewhere(rc, id, false, hops);
            } else if (ar.succeeded()) {
                rc.next();
            } else {
                refuse(rc, TusError.STATE_UNAVAILABLE.retryAfter(RETRY_UNREACHABLE_SECONDS, TusError.STATE_UNAVAILABLE.message()));
            }
        });
    }

    private void toAdopter(RoutingContext rc, String node, int hops) {
        URI adopter = peers.urlOf(node);
        if (adopter == null || hops >= MAX_HOPS) {
            refuse(rc, TusError.NODE_UNREACHABLE.retryAfter(RETRY_SOON_SECONDS, TusError.NODE_UNREACHABLE.message()));
            return;
        }
        HttpServerRequest req = rc.request();
        client.request(options(req, adopter, rc.pathParam("node"), rc.pathParam("id")))
                .onFailure(err -> {
                    count("holder_unreachable");
                    refuse(rc, TusError.NODE_UNREACHABLE.retryAfter(RETRY_UNREACHABLE_SECONDS, TusError.NODE_UNREACHABLE.message()));
                })
                .onSuccess(out -> relay(rc, out, hops, response -> false, () -> refuse(rc,
                        TusError.NODE_UNREACHABLE.retryAfter(RETRY_UNREACHABLE_SECONDS, TusError.NODE_UNREACHABLE.message()))));
    }

    /**
     * The request to a peer: built from the checked node name and upload id alone, never from the
     * request's target, which a client may send in absolute form naming any host.
     */
    private static RequestOptions options(HttpServerRequest req, URI peer, String node, String id) {
        String query = req.query();
        return new RequestOptions().setMethod(req.method())
                .setAbsoluteURI(peer + "/files/" + node + "/" + id + (query == null ? "" : "?" + query))
                .setConnectTimeout(PEER_CONNECT_MS);
    }

    /** Answers through the tus endpoint (authenticated, counted, the body drained), as its own refusal. */
    private void refuse(RoutingContext rc, TusException refusal) {
        rc.put(TusEndpoint.REFUSAL, refusal);
        rc.next();
    }

    private static boolean hasBody(HttpServerRequest req) {
        return req.method().equals(HttpMethod.PATCH) || req.method().equals(HttpMethod.POST);
    }

    private static int hops(HttpServerRequest req) {
        String by = req.getHeader(FORWARDED_BY);
        return by == null || by.isBlank() ? 0 : by.split(",").length;
    }

    private String forwardedBy(HttpServerRequest req) {
        String by = req.getHeader(FORWARDED_BY);
        return by == null || by.isBlank() ? peers.self() : by + "," + peers.self();
    }

    private void count(String outcome) {
        count(outcome, 1);
    }

    private void count(String outcome, int n) {
        outcomes.computeIfAbsent(outcome, o -> Counter.builder("convoy.forwarded.requests").tag("outcome", o)
                .description("tus requests for uploads held by another node: relayed (once or twice), holder_unreachable, "
                        + "failed (no answer after sending), not_here (handed off)")
                .register(registry)).increment(n);
    }
}
