package dev.convoy.ingest.web;

import dev.convoy.ingest.auth.DeviceTokens;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;

/** The gate of the owner-only endpoints (listing clips, deleting them, devices). */
public final class OwnerRequests {

    private OwnerRequests() {
    }

    /**
     * Runs {@code handler} with the owner id when the request carries an owner's token; answers
     * 401 for a missing or bad token and 403 for a device's, saying that only the owner {@code does}.
     */
    public static void asOwner(DeviceTokens tokens, RoutingContext rc, String does, Consumer<String> handler) {
        tokens.authenticate(rc.request().getHeader(HttpHeaders.AUTHORIZATION))
                .onFailure(err -> ApiErrors.failed(rc, err))
                .onSuccess(who -> {
                    if (who.isDevice()) {
                        ApiErrors.ownerOnly(rc, does);
                    } else {
                        handler.accept(who.owner());
                    }
                });
    }
}
