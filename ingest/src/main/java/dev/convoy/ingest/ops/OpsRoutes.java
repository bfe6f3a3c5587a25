package dev.convoy.ingest.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;

/**
 * The API's OpenAPI document (public), and what operators' machines read: the Prometheus scrape
 * endpoint and the health probes, served on the management port.
 */
public final class OpsRoutes {

    private final PrometheusMeterRegistry registry;
    private final Readiness readiness;
    private final Buffer openApi;

    public OpsRoutes(PrometheusMeterRegistry registry, Readiness readiness) {
        this.registry = registry;
        this.readiness = readiness;
        try (InputStream in = OpsRoutes.class.getResourceAsStream("/openapi.yaml")) {
            this.openApi = Buffer.buffer(in.readAllBytes());
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("openapi.yaml is missing from the jar", e);
        }
    }

    /** What anyone may read: the OpenAPI document. */
    public void mountPublic(Router router) {
        router.get("/api/openapi.yaml").handler(rc -> rc.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml")
                .end(openApi));
    }

    /** {@code /metrics}, {@code /health/live} and {@code /health/ready}. */
    public void mountManagement(Router router) {
        router.get("/metrics").handler(rc -> rc.vertx()
                .executeBlocking(registry::scrape, false)
                .onSuccess(text -> rc.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                        .end(text))
                .onFailure(rc::fail));
        router.get("/health/live").handler(rc -> rc.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(new JsonObject().put("status", "UP").encode()));
        router.get("/health/ready").handler(rc -> {
            JsonObject checks = readiness.checks();
            boolean ready = checks.stream().allMatch(e -> "UP".equals(e.getValue()));
            rc.response().setStatusCode(ready ? 200 : 503)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(new JsonObject().put("status", ready ? "UP" : "DOWN").put("checks", checks).encode());
        });
    }
}
