package dev.convoy.ingest.ops;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/** Named readiness checks; the service is ready when all are up. */
public final class Readiness {

    private final Map<String, BooleanSupplier> checks = new ConcurrentHashMap<>();

    public void register(String name, BooleanSupplier up) {
        checks.put(name, up);
    }

    public boolean isReady() {
        return checks.values().stream().allMatch(BooleanSupplier::getAsBoolean);
    }

    public JsonObject checks() {
        JsonObject json = new JsonObject();
        checks.forEach((name, check) -> json.put(name, check.getAsBoolean() ? "UP" : "DOWN"));
        return json;
    }
}
