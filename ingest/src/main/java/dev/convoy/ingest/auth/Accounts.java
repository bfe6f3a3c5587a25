package dev.convoy.ingest.auth;

import dev.convoy.ingest.storage.ObjectStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Owner accounts, one per phone number, kept in object storage as
 * {@code accounts/phone/{digits}.json}. The owner id is random: it appears in object keys,
 * and must not give the phone number away.
 */
public final class Accounts {

    private final ObjectStore store;
    private final SecureRandom random = new SecureRandom();

    public Accounts(ObjectStore store) {
        this.store = store;
    }

    /**
     * The owner id of the phone's account, created on the phone's first sign-in. The account
     * is written only if absent, so two first sign-ins at once (on one node or on two) end
     * with the one account that won the write.
     */
    public Future<String> ownerFor(Context ctx, String phoneE164) {
        String key = key(phoneE164);
        return store.getSmall(ctx, key).compose(existing -> {
            if (existing != null) {
                return Future.succeededFuture(new JsonObject(existing).getString("owner"));
            }
            byte[] id = new byte[10];
            random.nextBytes(id);
            String owner = "o" + HexFormat.of().formatHex(id);
            JsonObject account = new JsonObject().put("owner", owner).put("phone", phoneE164)
                    .put("createdAt", Instant.now().toString());
            return store.putBytesIfAbsent(ctx, key, account.encode().getBytes(StandardCharsets.UTF_8), "application/json")
                    .compose(written -> written ? Future.succeededFuture(owner) : ownerFor(ctx, phoneE164));
        });
    }

    static String key(String phoneE164) {
        return "accounts/phone/" + phoneE164.substring(1) + ".json";
    }
}
