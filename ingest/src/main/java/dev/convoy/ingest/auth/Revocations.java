package dev.convoy.ingest.auth;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Revoked devices: every token a device was issued up to the moment of revocation is
 * refused (a lost or stolen camera). Revocations come from two places: the owner's
 * {@code DELETE /api/devices/{id}} (recorded here at once, and in object storage for the
 * other nodes, see {@link DeviceRegistry}), and {@code convoy revoke}, which writes
 * {@code revoked-devices.json} in the data dir for a running server's next reload.
 */
public final class Revocations {

    static final String FILE = "revoked-devices.json";

    private final Path file;
    private final Map<String, Instant> revokedUntil = new ConcurrentHashMap<>();
    private final Map<String, Instant> revokedByOwners = new ConcurrentHashMap<>();
    private volatile long loadedModified = -1;

    public Revocations(Path dataDir) {
        this.file = dataDir.resolve(FILE);
    }

    /** Re-reads the file if it changed; cheap enough to call every few seconds. */
    public void reload() throws IOException {
        if (!Files.exists(file)) {
            revokedUntil.clear();
            return;
        }
        long modified = Files.getLastModifiedTime(file).toMillis();
        if (modified == loadedModified) {
            return;
        }
        JsonObject json = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
        Map<String, Instant> fresh = new ConcurrentHashMap<>();
        json.forEach(e -> fresh.put(e.getKey(), Instant.parse(e.getValue().toString())));
        revokedUntil.keySet().retainAll(fresh.keySet());
        revokedUntil.putAll(fresh);
        loadedModified = modified;
    }

    /** Whether a token issued at {@code issuedAtSeconds} to this device has been revoked. */
    public boolean isRevoked(String owner, String device, long issuedAtSeconds) {
        return revokedBefore(revokedUntil.get(owner + "/" + device), issuedAtSeconds)
                || revokedBefore(revokedByOwners.get(owner + "/" + device), issuedAtSeconds);
    }

    private static boolean revokedBefore(Instant until, long issuedAtSeconds) {
        return until != null && issuedAtSeconds <= until.getEpochSecond();
    }

    /** Records an owner's revocation of a device (from this node's API or from object storage). */
    public void record(String owner, String device, Instant at) {
        revokedByOwners.merge(owner + "/" + device, at, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** Revokes every token issued to the device until now. */
    public static void revoke(Path dataDir, String owner, String device) throws IOException {
        Path file = dataDir.resolve(FILE);
        Files.createDirectories(dataDir);
        JsonObject json = Files.exists(file) ? new JsonObject(Files.readString(file, StandardCharsets.UTF_8)) : new JsonObject();
        json.put(owner + "/" + device, Instant.now().toString());
        Path tmp = Files.createTempFile(dataDir, FILE, ".tmp");
        Files.writeString(tmp, json.encodePrettily(), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
