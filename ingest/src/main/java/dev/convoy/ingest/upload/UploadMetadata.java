package dev.convoy.ingest.upload;

import dev.convoy.ingest.clip.ClipKind;
import dev.convoy.ingest.clip.ClipMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** Parses the tus {@code Upload-Metadata} header into what Convoy knows about a clip. */
public final class UploadMetadata {

    private UploadMetadata() {
    }

    public static Map<String, String> parsePairs(String header) {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (header == null || header.isBlank()) {
            return pairs;
        }
        for (String pair : header.split(",")) {
            String trimmed = pair.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            String[] kv = trimmed.split(" ", -1);
            if (kv.length > 2 || kv[0].isEmpty()) {
                throw TusError.INVALID_METADATA.exception("Upload-Metadata pair '" + trimmed + "' is not 'key base64value'.");
            }
            String value = "";
            if (kv.length == 2) {
                try {
                    value = new String(Base64.getDecoder().decode(kv[1]), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw TusError.INVALID_METADATA.exception("The value of Upload-Metadata key '" + kv[0] + "' is not valid base64.");
                }
            }
            pairs.put(kv[0], value);
        }
        return pairs;
    }

    /** Parses the header; larger than {@code maxLength} characters is refused (metadata is a handful of short fields). */
    public static ClipMetadata parse(String header, int maxLength) {
        if (header != null && header.length() > maxLength) {
            throw TusError.METADATA_TOO_LARGE.exception("Upload-Metadata is " + header.length()
                    + " characters; this server accepts at most " + maxLength + ".");
        }
        Map<String, String> pairs = parsePairs(header);
        String kindValue = pairs.getOrDefault("kind", "manual");
        ClipKind kind = ClipKind.fromWire(kindValue).orElseThrow(() -> TusError.INVALID_METADATA.exception(
                "Metadata 'kind' must be incident, manual or drive, not '" + kindValue + "'."));
        long eventOffsetMs = -1;
        String offset = pairs.get("eventOffsetMs");
        if (offset != null && !offset.isEmpty()) {
            try {
                eventOffsetMs = Long.parseLong(offset);
            } catch (NumberFormatException e) {
                eventOffsetMs = -2;
            }
            if (eventOffsetMs < 0) {
                throw TusError.INVALID_METADATA.exception("Metadata 'eventOffsetMs' must be a non-negative whole number of milliseconds.");
            }
        }
        Instant recordedAt = null;
        String recorded = pairs.get("recordedAt");
        if (recorded != null && !recorded.isEmpty()) {
            try {
                recordedAt = OffsetDateTime.parse(recorded).toInstant();
            } catch (DateTimeParseException e) {
                throw TusError.INVALID_METADATA.exception("Metadata 'recordedAt' must be an ISO-8601 timestamp with offset, e.g. 2026-11-27T08:15:00Z.");
            }
        }
        return new ClipMetadata(kind, emptyToNull(pairs.get("filename")), emptyToNull(pairs.get("event")),
                eventOffsetMs, recordedAt, emptyToNull(pairs.get("clientClipId")));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
