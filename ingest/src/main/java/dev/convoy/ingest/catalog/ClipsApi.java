package dev.convoy.ingest.catalog;

import dev.convoy.ingest.auth.AuthException;
import dev.convoy.ingest.auth.DeviceTokens;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The JSON API over the catalog at {@code /api/}. */
public final class ClipsApi {

    private static final Logger LOG = LoggerFactory.getLogger(ClipsApi.class);

    private final ClipCatalog catalog;
    private final DeviceTokens tokens;

    public ClipsApi(ClipCatalog catalog, DeviceTokens tokens) {
        this.catalog = catalog;
        this.tokens = tokens;
    }

    public void mount(Router router) {
        router.get("/api/clips/:id").handler(this::getClip);
    }

    private void getClip(RoutingContext rc) {
        String id = rc.pathParam("id");
        tokens.authenticate(rc.request().getHeader(HttpHeaders.AUTHORIZATION))
                .compose(who -> catalog.view(rc.vertx().getOrCreateContext(), who.owner(), id))
                .onSuccess(view -> {
                    if (view == null) {
                        error(rc, 404, "clip_not_found", "No clip " + id + " for this owner.");
                    } else {
                        rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                                .end(view.encodePrettily());
                    }
                })
                .onFailure(err -> {
                    if (err instanceof AuthException) {
                        rc.response().putHeader("WWW-Authenticate", "Bearer");
                        error(rc, 401, "unauthorized", "Send 'Authorization: Bearer <token>'; mint one with 'convoy token'.");
                    } else {
                        LOG.error("event=api_failed path={}", rc.request().path(), err);
                        error(rc, 503, "store_unavailable", "The object store did not answer; retry shortly.");
                    }
                });
    }

    static void error(RoutingContext rc, int status, String code, String message) {
        rc.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(new JsonObject().put("error", new JsonObject().put("code", code).put("message", message)).encode());
    }
}
