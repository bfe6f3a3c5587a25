package dev.convoy.ingest.web;

import io.vertx.core.http.HttpServerRequest;

/**
 * Requests one node sends another on a client's behalf carry {@value #FORWARDED_BY}, naming
 * the nodes they passed. A node answers such a request from what it holds itself and never
 * asks further, so that no request goes round the cluster.
 */
public final class PeerRequests {

    public static final String FORWARDED_BY = "Convoy-Forwarded-By";

    private PeerRequests() {
    }

    public static boolean fromPeer(HttpServerRequest req) {
        String by = req.getHeader(FORWARDED_BY);
        return by != null && !by.isBlank();
    }
}
