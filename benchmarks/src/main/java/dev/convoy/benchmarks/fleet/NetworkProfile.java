package dev.convoy.benchmarks.fleet;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * How a camera's link behaves: its upstream bandwidth, the latency before each request, the
 * chance that a connection drops in the middle of a chunk, and the chance and length of a
 * stall mid-body (a tunnel, a dead spot).
 *
 * @param bytesPerSecond upstream bandwidth of one camera
 * @param latencyMs      delay before each request
 * @param dropPerChunk   chance that a PATCH is cut off somewhere in its body
 * @param stallPerChunk  chance that a PATCH body stalls for {@code stallMs} midway
 * @param stallMs        how long a stall lasts
 */
public record NetworkProfile(String name, long bytesPerSecond, long latencyMs, double dropPerChunk, double stallPerChunk,
                             long stallMs) {

    static final Map<String, NetworkProfile> NAMED = Map.of(
            "wifi", new NetworkProfile("wifi", 4L << 20, 10, 0.0, 0.0, 0),
            "4g", new NetworkProfile("4g", 1L << 20, 60, 0.02, 0.02, 2_000),
            "lossy", new NetworkProfile("lossy", 256L << 10, 150, 0.15, 0.05, 5_000));

    /** {@code wifi}, {@code 4g}, {@code lossy}, or a JSON file with the fields of this record. */
    public static NetworkProfile parse(String value) {
        NetworkProfile named = NAMED.get(value);
        if (named != null) {
            return named;
        }
        Path file = Path.of(value);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--network must be wifi, 4g, lossy or a JSON file, not '" + value + "'");
        }
        try {
            JsonObject json = new JsonObject(Files.readString(file));
            NetworkProfile p = new NetworkProfile(json.getString("name", file.getFileName().toString()),
                    json.getLong("bytesPerSecond"), json.getLong("latencyMs", 0L), json.getDouble("dropPerChunk", 0.0),
                    json.getDouble("stallPerChunk", 0.0), json.getLong("stallMs", 0L));
            if (p.bytesPerSecond() <= 0 || p.dropPerChunk() < 0 || p.dropPerChunk() >= 1 || p.stallPerChunk() < 0) {
                throw new IllegalArgumentException("bytesPerSecond must be positive and the chances from 0 to below 1");
            }
            return p;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("--network " + value + ": " + e.getMessage()
                    + " (fields: bytesPerSecond, latencyMs, dropPerChunk, stallPerChunk, stallMs)", e);
        }
    }
}
