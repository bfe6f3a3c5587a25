package dev.convoy.ingest.cluster;

import dev.convoy.ingest.web.WebPages;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators' page's row per node: every other node is asked (with the operator's own
 * token) for its latest sample, given in the order of their names. A node that does not answer
 * is counted, not shown.
 */
public final class ClusterOps implements WebPages.OtherNodes {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterOps.class);
    private final PeerCalls calls;
    private final Peers peers;

    public ClusterOps(Vertx vertx, HttpClientAgent client, Peers peers) {
        this.calls = new PeerCalls(vertx, client, peers);
        this.peers = peers;
    }

    @Override
    public Future<Nodes> latest(RoutingContext rc) {
        return calls.ask(rc, HttpMethod.GET, "/api/ops/stats?last=1", null, Map.of()).map(answers -> {
            List<JsonObject> nodes = new ArrayList<>();
            int unanswered = 0;
            for (PeerCalls.Answer a : answers) {
                JsonArray samples = null;
                String node = null;
                if (a != null && a.status() == 200) {
                    try {
                        JsonObject body = a.body().toJsonObject();
                        samples = body.getJsonArray("samples");
                        node = body.getString("node");
                    } catch (RuntimeException e) {
                        LOG.warn("event=peer_stats_unreadable cause=\"{}\"", e.toString());
                    }
                }
                if (node != null && peers.isSelf(node)) {
                    // The Service's addresses include this node's own: its row is there already.
                    continue;
                }
                if (samples == null || samples.isEmpty()) {
                    unanswered++;
                } else {
                    nodes.add(new JsonObject().put("node", node).put("sample", samples.getJsonObject(samples.size() - 1)));
                }
            }
            nodes.sort(Comparator.comparing(n -> String.valueOf(n.getString("node"))));
            return new Nodes(nodes, unanswered);
        });
    }
}
