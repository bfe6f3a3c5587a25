package dev.convoy.ingest.cluster;

import dev.convoy.ingest.web.PeerRequests;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One question put to every other node at once, on a client's behalf: with the client's own
 * {@code Authorization} and {@link PeerRequests#FORWARDED_BY}, so that each answers from what it
 * holds and asks nobody further. A node that does not answer within {@link #TIMEOUT_MS} counts
 * as no answer (null), never as a failure of the whole.
 */
final class PeerCalls {

    private static final Logger LOG = LoggerFactory.getLogger(PeerCalls.class);
    private static final long TIMEOUT_MS = 3_000;

    /** A node's answer. */
    record Answer(int status, Buffer body) {
    }

    private final Vertx vertx;
    private final HttpClientAgent client;
    private final Peers peers;

    PeerCalls(Vertx vertx, HttpClientAgent client, Peers peers) {
        this.vertx = vertx;
        this.client = client;
        this.peers = peers;
    }

    /** Every other node's answer, null for one that gave none. */
    Future<List<Answer>> ask(RoutingContext rc, HttpMethod method, String pathAndQuery, Buffer body, Map<String, String> headers) {
        String authorization = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
        return peers.all(vertx).compose(urls -> {
            List<Future<Answer>> asks = new ArrayList<>();
            for (URI url : urls) {
                asks.add(client.request(new RequestOptions().setMethod(method).setAbsoluteURI(url.resolve(pathAndQuery).toString())
                                .setConnectTimeout(TIMEOUT_MS).setIdleTimeout(TIMEOUT_MS))
                        .compose(req -> {
                            if (authorization != null) {
                                req.putHeader(HttpHeaders.AUTHORIZATION, authorization);
                            }
                            req.putHeader(PeerRequests.FORWARDED_BY, peers.self());
                            headers.forEach(req::putHeader);
                            return (body == null ? req.send() : req.send(body))
                                    .compose(res -> res.body().map(b -> new Answer(res.statusCode(), b)));
                        })
                        .recover(err -> {
                            LOG.info("event=peer_unanswered url={} cause=\"{}\"", url, err.toString());
                            return Future.succeededFuture(null);
                        }));
            }
            return Future.all(asks).map(all -> asks.stream().map(Future::result).toList());
        });
    }
}
