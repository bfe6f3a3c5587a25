package dev.convoy.ingest.cluster;

import dev.convoy.ingest.auth.AuthApi;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * A sign-in code is kept by the node that sent it. A phone may type it in on another (the
 * load balancer needs no stickiness): that node asks the others, and the one that holds a
 * code for the phone checks it, counting tries and limits as if asked itself.
 */
public final class ClusterSignIn implements AuthApi.OtherNodes {

    private final PeerCalls calls;

    public ClusterSignIn(Vertx vertx, HttpClientAgent client, Peers peers) {
        this.calls = new PeerCalls(vertx, client, peers);
    }

    @Override
    public Future<Answer> verify(RoutingContext rc, JsonObject request, String peerToken) {
        return calls.ask(rc, HttpMethod.POST, "/api/auth/verify", Buffer.buffer(request.encode()),
                        Map.of(HttpHeaders.CONTENT_TYPE.toString(), "application/json", AuthApi.PEER_TOKEN, peerToken))
                .map(answers -> {
                    // A phone that asked two nodes has a code on each: the one that signs in wins.
                    for (PeerCalls.Answer a : answers) {
                        if (a != null && a.status() == 200) {
                            return new Answer(a.status(), a.body().toJsonObject());
                        }
                    }
                    for (PeerCalls.Answer a : answers) {
                        // code_expired: that node holds no code for the phone; any other answer is the one.
                        if (a != null && !(a.status() == 401 && "code_expired".equals(code(a)))) {
                            return new Answer(a.status(), a.body().toJsonObject());
                        }
                    }
                    return null;
                });
    }

    private static String code(PeerCalls.Answer a) {
        try {
            return a.body().toJsonObject().getJsonObject("error").getString("code");
        } catch (RuntimeException e) {
            return null;
        }
    }
}
