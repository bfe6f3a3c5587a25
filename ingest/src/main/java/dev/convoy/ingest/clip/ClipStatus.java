package dev.convoy.ingest.clip;

import java.util.Locale;

/** Where a clip is on its path, as the API reports it. */
public enum ClipStatus {
    UPLOADING, PROCESSING, READY, FAILED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ClipStatus fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    public boolean isFinal() {
        return this == READY || this == FAILED;
    }
}
