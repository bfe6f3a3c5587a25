package dev.convoy.ingest.storage;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * One committed clip in its owner's listing index: empty objects whose keys alone carry what
 * the listing shows and filters on, so that listing an owner's clips is a prefix listing
 * (1,000 keys a request), newest first, with no object read per clip. Each clip has two: one
 * in the owner's whole index and one in the index of its kind, so that a kind's listing (an
 * owner's incidents among thousands of drives) reads only that kind's keys.
 *
 * <p>Keys: {@code index/{owner}/all/{name}} and {@code index/{owner}/{kind}/{name}}, the name
 * {@code {inverted ms}.{clipId}.{kind}.{status}.{durationMs}.{expires}.{device}.{event}}, the
 * inverted time (9999999999999 − epoch ms, 13 digits) sorting newest first, {@code expires} in
 * epoch seconds (0: kept forever), device and event in unpadded URL-safe base64 (whose
 * alphabet has no dot).
 */
public record IndexEntry(String owner, Instant at, String clipId, String kind, String status, long durationMs,
                         Instant expiresAt, String deviceId, String event) {

    private static final long INVERT = 9_999_999_999_999L;
    /** The first time an index key can order: the epoch (its inverted time is 13 digits up to here). */
    public static final Instant EARLIEST = Instant.EPOCH;
    /** The last time an index key can order: 9999999999999 ms, in 2286. */
    public static final Instant LATEST = Instant.ofEpochMilli(INVERT);

    /** Everything of the owner's index. */
    public static String ownerPrefix(String owner) {
        return "index/" + owner + "/";
    }

    /** The owner's whole index. */
    public static String prefix(String owner) {
        return ownerPrefix(owner) + "all/";
    }

    /** The owner's index of one kind. */
    public static String prefix(String owner, String kind) {
        return ownerPrefix(owner) + kind + "/";
    }

    /** Where a listing of {@code prefix} starts to skip every entry at or after {@code to}: a {@code start-after} key. */
    public static String startAfterFor(String prefix, Instant to) {
        return prefix + String.format("%013d", INVERT - to.toEpochMilli()) + "~";
    }

    private String name() {
        return String.format("%013d", INVERT - at.toEpochMilli()) + "." + clipId + "." + kind + "." + status
                + "." + durationMs + "." + (expiresAt == null ? 0 : expiresAt.getEpochSecond())
                + "." + b64(deviceId) + "." + b64(event == null ? "" : event);
    }

    /** The clip's keys: in the whole index and in its kind's. */
    public List<String> keys() {
        return List.of(prefix(owner) + name(), prefix(owner, kind) + name());
    }

    /** The entry a key stands for; null for a key that is not one. */
    public static IndexEntry parse(String key) {
        String[] path = key.split("/");
        if (path.length != 4 || !path[0].equals("index")) {
            return null;
        }
        String[] f = path[3].split("\\.", -1);
        if (f.length != 8) {
            return null;
        }
        try {
            String event = unb64(f[7]);
            long expires = Long.parseLong(f[5]);
            return new IndexEntry(path[1], Instant.ofEpochMilli(INVERT - Long.parseLong(f[0])), f[1], f[2], f[3],
                    Long.parseLong(f[4]), expires == 0 ? null : Instant.ofEpochSecond(expires), unb64(f[6]),
                    event.isEmpty() ? null : event);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Whether the clip has expired by {@code now} (and is only waiting for its deletion). */
    public boolean expiredBy(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String unb64(String s) {
        return new String(Base64.getUrlDecoder().decode(s), StandardCharsets.UTF_8);
    }
}
