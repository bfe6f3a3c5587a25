package dev.convoy.ingest.web;

import dev.convoy.ingest.auth.AuthException;
import dev.convoy.ingest.storage.StoreFailures;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one error shape of {@code /api/}: {@code {"error": {"code": ..., "message": ...}}}. */
public final class ApiErrors {

    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

    private ApiErrors() {
    }

    /**
     * A failed request: 401 for a bad token, 503 when the object store did not answer (a client
     * retries), otherwise 500 with the cause logged, so that a bug never looks like an outage.
     */
    public static void failed(RoutingContext rc, Throwable err) {
        if (err instanceof AuthException) {
            unauthorized(rc);
        } else if (StoreFailures.isUnavailable(err)) {
            LOG.warn("event=api_store_unavailable path={} cause=\"{}\"", rc.request().path(), err.toString());
            rc.response().putHeader("Retry-After", "5");
            send(rc, 503, "store_unavailable", "The object store did not answer; retry shortly.");
        } else {
            LOG.error("event=api_failed path={}", rc.request().path(), err);
            send(rc, 500, "internal_error", "The server failed to answer this request; it has been logged. Retry later.");
        }
    }

    public static void send(RoutingContext rc, int status, String code, String message) {
        send(rc, status, new JsonObject().put("code", code).put("message", message));
    }

    /** An error with fields beyond code and message (e.g. attemptsLeft). */
    public static void send(RoutingContext rc, int status, JsonObject error) {
        rc.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(new JsonObject().put("error", error).encode());
    }

    public static void unauthorized(RoutingContext rc) {
        rc.response().putHeader("WWW-Authenticate", "Bearer");
        send(rc, 401, "unauthorized", "Send 'Authorization: Bearer <token>': sign in with POST /api/auth/code and /api/auth/verify.");
    }

    public static void ownerOnly(RoutingContext rc, String what) {
        send(rc, 403, "owner_token_required", "Only the owner " + what + ": use the owner's session token, not a device's.");
    }

    public static void json(RoutingContext rc, int status, JsonObject body) {
        rc.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(body.encode());
    }
}
