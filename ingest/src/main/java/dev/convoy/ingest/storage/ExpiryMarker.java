package dev.convoy.ingest.storage;

import java.time.Instant;

/**
 * When a clip expires, as an empty object {@code expiry/{epoch seconds, 12 digits}/{owner}/{clipId}}:
 * a key listing of {@code expiry/} yields the clips due first, so a sweep reads only what
 * is due. Written before the clip's manifest, deleted after the clip.
 */
public record ExpiryMarker(Instant at, String owner, String clipId) {

    public static final String PREFIX = "expiry/";

    public String key() {
        return PREFIX + String.format("%012d", at.getEpochSecond()) + "/" + owner + "/" + clipId;
    }

    /** The marker a key stands for; null for a key that is not one. */
    public static ExpiryMarker parse(String key) {
        String[] parts = key.split("/");
        if (parts.length != 4 || !key.startsWith(PREFIX)) {
            return null;
        }
        try {
            return new ExpiryMarker(Instant.ofEpochSecond(Long.parseLong(parts[1])), parts[2], parts[3]);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
