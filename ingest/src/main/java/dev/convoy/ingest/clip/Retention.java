package dev.convoy.ingest.clip;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * How long clips of each kind are kept after upload; a kind not named is kept forever.
 * Written {@code drive=60} (days), several comma-separated.
 */
public final class Retention {

    private final Map<ClipKind, Duration> byKind;

    private Retention(Map<ClipKind, Duration> byKind) {
        this.byKind = byKind;
    }

    public static Retention parse(String value) {
        Map<ClipKind, Duration> byKind = new EnumMap<>(ClipKind.class);
        for (String part : value.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] kv = part.trim().split("=", 2);
            ClipKind kind = kv.length == 2 ? ClipKind.fromWire(kv[0].trim()).orElse(null) : null;
            long days;
            try {
                days = kv.length == 2 ? Long.parseLong(kv[1].trim()) : -1;
            } catch (NumberFormatException e) {
                days = -1;
            }
            if (kind == null || days < 0 || days > 36_500) {
                throw new IllegalArgumentException("--retention takes KIND=DAYS pairs (kinds incident, manual, drive; "
                        + "0 keeps forever), e.g. drive=60, not '" + part.trim() + "'");
            }
            if (days > 0) {
                byKind.put(kind, Duration.ofDays(days));
            } else {
                byKind.remove(kind);
            }
        }
        return new Retention(byKind);
    }

    /** When a clip of {@code kind} uploaded at {@code uploadedAt} expires (whole seconds, rounded up); null when it is kept forever. */
    public Instant expiresAt(ClipKind kind, Instant uploadedAt) {
        Duration keep = byKind.get(kind);
        if (keep == null) {
            return null;
        }
        Instant at = uploadedAt.plus(keep);
        return at.getNano() == 0 ? at : Instant.ofEpochSecond(at.getEpochSecond() + 1);
    }

    /** Days clips of {@code kind} are kept, or 0 for ever. */
    public long days(ClipKind kind) {
        Duration keep = byKind.get(kind);
        return keep == null ? 0 : keep.toDays();
    }

    public boolean expiresAny() {
        return !byKind.isEmpty();
    }

    @Override
    public String toString() {
        return byKind.isEmpty() ? "forever" : byKind.toString();
    }
}
