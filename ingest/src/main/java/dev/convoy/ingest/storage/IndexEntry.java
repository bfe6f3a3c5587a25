package dev.convoy.ingest.storage;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * One committed clip in its owner's listing index: an empty object whose key alone carries
 * what the listing shows and filters on, so that listing an owner's clips is a prefix listing
 * (1,000 keys a request), newest first, with no object read per clip.
 *
 * <p>Key: {@code index/{owner}/{inverted ms}_{clipId}_{kind}_{status}_{durationMs}_{device}_{event}},
 * the inverted time (9999999999999 − epoch ms, 13 digits) sorting newest first, device and
 * event in unpadded URL-safe base64.
 */
public record IndexEntry(String owner, Instant at, String clipId, String kind, String status, long durationMs,
                         String deviceId, String event) {

    private static final long INVERT = 9_999_999_999_999L;

    public static String prefix(String owner) {
        return "index/" + owner + "/";
    }

    public String key() {
        return prefix(owner) + String.format("%013d", INVERT - at.toEpochMilli()) + "_" + clipId + "_" + kind + "_" + status
                + "_" + durationMs + "_" + b64(deviceId) + "_" + b64(event == null ? "" : event);
    }

    /** The entry a key stands for; null for a key that is not one. */
    public static IndexEntry parse(String key) {
        String[] path = key.split("/");
        if (path.length != 3 || !path[0].equals("index")) {
            return null;
        }
        String[] f = path[2].split("_", -1);
        if (f.length != 7) {
            return null;
        }
        try {
            String event = unb64(f[6]);
            return new IndexEntry(path[1], Instant.ofEpochMilli(INVERT - Long.parseLong(f[0])), f[1], f[2], f[3],
                    Long.parseLong(f[4]), unb64(f[5]), event.isEmpty() ? null : event);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String unb64(String s) {
        return new String(Base64.getUrlDecoder().decode(s), StandardCharsets.UTF_8);
    }
}
