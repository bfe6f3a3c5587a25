package dev.convoy.ingest.auth;

import dev.convoy.ingest.storage.ObjectStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * An owner's paired devices, in object storage: {@code devices/{owner}/{deviceId}.json} for
 * each device, and for each revocation an empty {@code revoked/{owner}/{deviceId}/{epochSeconds}}
 * whose key alone says it all, so that every node learns of all revocations with one
 * key listing.
 */
public final class DeviceRegistry {

    private static final String REVOKED = "revoked/";

    private final ObjectStore store;
    private final DeviceTokens tokens;
    private final Revocations revocations;
    private final int maxDevicesPerOwner;
    private final SecureRandom random = new SecureRandom();

    public DeviceRegistry(ObjectStore store, DeviceTokens tokens, Revocations revocations) {
        this(store, tokens, revocations, Integer.MAX_VALUE);
    }

    public DeviceRegistry(ObjectStore store, DeviceTokens tokens, Revocations revocations, int maxDevicesPerOwner) {
        this.maxDevicesPerOwner = maxDevicesPerOwner;
        this.store = store;
        this.tokens = tokens;
        this.revocations = revocations;
    }

    /** A pairing refused because the owner already has as many devices as allowed. */
    public static final class TooManyDevices extends RuntimeException {
        TooManyDevices(int max) {
            super("This account already has " + max + " paired devices, the most allowed; revoke one first.", null, false, false);
        }
    }

    /**
     * Pairs a new device: its record, and its token (which is not kept anywhere); fails with
     * {@link TooManyDevices} when the owner has as many unrevoked devices as allowed.
     */
    public Future<JsonObject> pair(Context ctx, String owner, String name) {
        return list(ctx, owner).compose(devices -> {
            long active = devices.stream().filter(d -> ((JsonObject) d).getString("revokedAt") == null).count();
            return active >= maxDevicesPerOwner ? Future.failedFuture(new TooManyDevices(maxDevicesPerOwner))
                    : pairNew(ctx, owner, name);
        });
    }

    private Future<JsonObject> pairNew(Context ctx, String owner, String name) {
        byte[] id = new byte[8];
        random.nextBytes(id);
        String deviceId = "d" + HexFormat.of().formatHex(id);
        JsonObject device = new JsonObject().put("deviceId", deviceId).put("name", name)
                .put("pairedAt", Instant.now().toString()).put("revokedAt", null);
        return store.putBytes(ctx, key(owner, deviceId), device.encode().getBytes(StandardCharsets.UTF_8), "application/json")
                .map(v -> device.copy().put("token", tokens.issueDevice(owner, deviceId)));
    }

    /** The owner's devices, revoked ones included, oldest pairing first. */
    public Future<JsonArray> list(Context ctx, String owner) {
        return store.listKeys(ctx, "devices/" + owner + "/", null, 1000).compose(page -> {
            List<Future<Buffer>> reads = new ArrayList<>();
            for (String key : page.keys()) {
                reads.add(store.getSmall(ctx, key));
            }
            return Future.all(reads).map(all -> {
                List<JsonObject> devices = new ArrayList<>();
                for (Future<Buffer> read : reads) {
                    if (read.result() != null) {
                        devices.add(new JsonObject(read.result()));
                    }
                }
                devices.sort(Comparator.comparing(d -> d.getString("pairedAt")));
                return new JsonArray(devices);
            });
        });
    }

    /**
     * Revokes a device: its tokens stop working on this node at once and on the others at
     * their next {@link #refreshRevocations}. Completes with the updated record, or null when
     * the owner has no such device.
     */
    public Future<JsonObject> revoke(Context ctx, String owner, String deviceId) {
        if (!DeviceTokens.ID.matcher(deviceId).matches()) {
            return Future.succeededFuture(null);
        }
        return store.getSmall(ctx, key(owner, deviceId)).compose(bytes -> {
            if (bytes == null) {
                return Future.succeededFuture(null);
            }
            JsonObject device = new JsonObject(bytes);
            if (device.getString("revokedAt") != null) {
                return Future.succeededFuture(device);
            }
            Instant now = Instant.now();
            revocations.record(owner, deviceId, now);
            device.put("revokedAt", now.toString());
            return store.putBytes(ctx, REVOKED + owner + "/" + deviceId + "/" + now.getEpochSecond(), new byte[0],
                            "application/octet-stream")
                    .compose(v -> store.putBytes(ctx, key(owner, deviceId), device.encode().getBytes(StandardCharsets.UTF_8),
                            "application/json"))
                    .map(device);
        });
    }

    /** Ends one owner session: its token stops working here at once, on other nodes at their next refresh. */
    public Future<Void> signOut(Context ctx, String owner, String session) {
        return revokeName(ctx, owner, DeviceTokens.sessionKey(session));
    }

    /** Ends every owner session issued until now ("sign out everywhere"); paired devices keep working. */
    public Future<Void> signOutEverywhere(Context ctx, String owner) {
        return revokeName(ctx, owner, DeviceTokens.ALL_SESSIONS);
    }

    private Future<Void> revokeName(Context ctx, String owner, String name) {
        Instant now = Instant.now();
        revocations.record(owner, name, now);
        return store.putBytes(ctx, REVOKED + owner + "/" + name + "/" + now.getEpochSecond(), new byte[0], "application/octet-stream");
    }

    /** Learns every revocation recorded in object storage (by any node). */
    public Future<Integer> refreshRevocations(Context ctx) {
        Promise<Integer> done = Promise.promise();
        refreshPage(ctx, null, 0, done);
        return done.future();
    }

    private void refreshPage(Context ctx, String startAfter, int seen, Promise<Integer> done) {
        store.listKeys(ctx, REVOKED, startAfter, 1000).onFailure(done::fail).onSuccess(page -> {
            for (String key : page.keys()) {
                String[] parts = key.split("/");
                if (parts.length == 4) {
                    try {
                        revocations.record(parts[1], parts[2], Instant.ofEpochSecond(Long.parseLong(parts[3])));
                    } catch (NumberFormatException e) {
                        // Not one of ours.
                    }
                }
            }
            int total = seen + page.keys().size();
            if (page.truncated() && !page.keys().isEmpty()) {
                refreshPage(ctx, page.keys().get(page.keys().size() - 1), total, done);
            } else {
                done.complete(total);
            }
        });
    }

    private static String key(String owner, String deviceId) {
        return "devices/" + owner + "/" + deviceId + ".json";
    }
}
