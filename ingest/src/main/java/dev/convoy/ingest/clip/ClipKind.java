package dev.convoy.ingest.clip;

import java.util.Locale;
import java.util.Optional;

/** What made a clip; also its transcode priority (lower ordinal goes first). */
public enum ClipKind {
    /** Made by the camera's sensors (hard brake, collision): uploaded at once, kept forever. */
    INCIDENT,
    /** Trimmed by the driver in the app. */
    MANUAL,
    /** A whole drive: long, uploaded on request, expires. */
    DRIVE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ClipKind> fromWire(String value) {
        for (ClipKind kind : values()) {
            if (kind.wireName().equals(value)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
