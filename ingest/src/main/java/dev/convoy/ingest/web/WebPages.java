package dev.convoy.ingest.web;

import dev.convoy.ingest.auth.DeviceTokens;
import dev.convoy.ingest.auth.Operators;
import dev.convoy.ingest.ops.OpsStats;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web pages: the owners' app at {@code /} and the operators' page at {@code /ops}, plain
 * HTML, CSS and JavaScript modules from the jar's {@code web/} folder (nothing is fetched from
 * elsewhere), and the operators' numbers they read at {@code /api/ops/stats}.
 */
public final class WebPages {

    private static final Pattern ASSET = Pattern.compile("[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "txt", "text/plain; charset=utf-8");
    /**
     * Scripts, styles and pages only from here; pictures, video and the storyboard's cues from here
     * too, or from the object store's origin, where its presigned URLs lead (%s is it, or nothing).
     */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self';"
            + " img-src 'self' data:%1$s; media-src 'self'%1$s; connect-src 'self'%1$s;"
            + " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /** The other nodes' numbers, for a row per node on the operators' page. */
    public interface OtherNodes {
        /** Each answering node's latest sample ({@code {"node", "sample"}}), and how many did not answer. */
        record Nodes(List<JsonObject> latest, int unanswered) {
        }

        Future<Nodes> latest(RoutingContext rc);
    }

    private final DeviceTokens tokens;
    private final Operators operators;
    private final OpsStats stats;
    private final OtherNodes others;
    private final String contentSecurityPolicy;
    /** Files read so far (only files there are: a name asked for in vain is not kept). */
    private final Map<String, Buffer> files = new ConcurrentHashMap<>();

    /**
     * {@code others} is null for a single node; {@code mediaOrigin} is the object store's origin
     * where clips' links lead there, null where they lead to this server.
     */
    public WebPages(DeviceTokens tokens, Operators operators, OpsStats stats, OtherNodes others, String mediaOrigin) {
        this.tokens = tokens;
        this.operators = operators;
        this.stats = stats;
        this.others = others;
        this.contentSecurityPolicy = String.format(CONTENT_SECURITY_POLICY, mediaOrigin == null ? "" : " " + mediaOrigin);
    }

    public void mount(Router router) {
        router.get("/").handler(rc -> send(rc, "index.html"));
        router.get("/ops").handler(rc -> send(rc, "ops.html"));
        router.get("/assets/*").handler(rc -> {
            String name = rc.request().path().substring("/assets/".length());
            if (!ASSET.matcher(name).matches() || name.contains("..")) {
                notFound(rc);
                return;
            }
            send(rc, "assets/" + name);
        });
        router.get("/api/ops/stats").handler(this::opsStats);
    }

    /** {@code GET /api/ops/stats?since=MILLIS} (or {@code ?last=1}: the latest sample alone): an operator's session only. */
    private void opsStats(RoutingContext rc) {
        tokens.authenticate(rc.request().getHeader(HttpHeaders.AUTHORIZATION))
                .onFailure(err -> ApiErrors.failed(rc, err))
                .onSuccess(who -> {
                    if (!operators.allows(who)) {
                        ApiErrors.send(rc, 403, "operator_only", "Only operators see the pipeline's numbers; sign in with a"
                                + " number listed in --operator-phones.");
                        return;
                    }
                    JsonObject answer;
                    try {
                        answer = "1".equals(rc.request().getParam("last")) ? stats.latest()
                                : stats.since(Long.parseLong(rc.request().getParam("since", "0")));
                    } catch (NumberFormatException e) {
                        ApiErrors.send(rc, 400, "invalid_parameter", "since must be a time in milliseconds since 1970, as a"
                                + " sample's 'at' gives it.");
                        return;
                    }
                    if (others == null || PeerRequests.fromPeer(rc.request())) {
                        ApiErrors.json(rc, 200, answer);
                    } else {
                        others.latest(rc).onComplete(ar -> ApiErrors.json(rc, 200, withNodes(answer, ar.succeeded() ? ar.result() : null)));
                    }
                });
    }

    /** {@code answer} with a row per node: this one's latest sample, then those the others gave (none when asking failed). */
    private JsonObject withNodes(JsonObject answer, OtherNodes.Nodes others) {
        JsonArray nodes = new JsonArray();
        JsonArray mine = stats.latest().getJsonArray("samples");
        if (!mine.isEmpty()) {
            nodes.add(new JsonObject().put("node", answer.getString("node")).put("sample", mine.getJsonObject(0)));
        }
        if (others != null) {
            others.latest().forEach(nodes::add);
            answer.put("nodesUnanswered", others.unanswered());
        }
        return answer.put("nodes", nodes);
    }

    /** A page or asset; the jar is read off the event loop, once per file. */
    private void send(RoutingContext rc, String name) {
        Buffer file = files.get(name);
        if (file != null) {
            respond(rc, name, file);
            return;
        }
        rc.vertx().executeBlocking(() -> load(name), false).onComplete(ar -> {
            if (ar.succeeded() && ar.result() != null) {
                files.put(name, ar.result());
                respond(rc, name, ar.result());
            } else {
                notFound(rc);
            }
        });
    }

    private void respond(RoutingContext rc, String name, Buffer file) {
        String extension = name.substring(name.lastIndexOf('.') + 1);
        HttpServerResponse response = rc.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, TYPES.getOrDefault(extension, "application/octet-stream"))
                // Asked again each time (answered from memory): a new version of the jar is seen at once.
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer");
        if (extension.equals("html")) {
            response.putHeader("Content-Security-Policy", contentSecurityPolicy);
        }
        response.end(file);
    }

    private static void notFound(RoutingContext rc) {
        ApiErrors.send(rc, 404, "not_found", "There is no page " + rc.request().path() + "; the clips are at /.");
    }

    /** The file from the jar, or null when there is none. */
    private static Buffer load(String name) {
        try (InputStream in = WebPages.class.getResourceAsStream("/web/" + name)) {
            return in == null ? null : Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            return null;
        }
    }
}
