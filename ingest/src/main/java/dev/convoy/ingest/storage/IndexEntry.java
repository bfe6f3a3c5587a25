package dev.convoy.ingest.storage;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * One committed clip in its owner's listing index: an empty object whose key alone carries
 * what the listing shows and filters on, so that listing an owner's clips is a prefix listing
 * (1,000 keys a request), newest first, with no object read per clip.
 *
 * <p>Key: {@code index/{owner}/{inverted ms}.{clipId}.{kind}.{status}.{durationMs}.{expires}.{device}.{event}},
 * the inverted time (9999999999999 − epoch ms, 13 digits) sorting newest first, {@code expires}
 * in epoch seconds (0: kept forever), device and event in unpadded URL-safe base64 (whose
 * alphabet has no dot).
 */
public record IndexEntry(String owner, Instant at, String clipId, String kind, String status, long durationMs,
                         Instant expiresAt, String deviceId, String event) {

    private static final long INVERT = 9_999_999_999_999L;

    public static String prefix(String owner) {
        return "index/" + owner + "/";
    }

    public String key() {
        return prefix(owner) + String.format("%013d", INVERT - at.toEpochMilli()) + "." + clipId + "." + kind + "." + status
                + "." + durationMs + "." + (expiresAt == null ? 0 : expiresAt.getEpochSecond())
                + "." + b64(deviceId) + "." + b64(event == null ? "" : event);
    }

    /** The entry a key stands for; null for a key that is not one. */
    public static IndexEntry parse(String key) {
        String[] path = key.split("/");
        if (path.length != 3 || !path[0].equals("index")) {
            return null;
        }
        String[] f = path[2].split("\\.", -1);
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
