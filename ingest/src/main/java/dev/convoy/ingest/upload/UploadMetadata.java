package dev.convoy.ingest.upload;

import dev.convoy.ingest.clip.ClipKind;
import dev.convoy.ingest.clip.ClipMetadata;
import dev.convoy.ingest.tus.TusError;
import dev.convoy.ingest.tus.TusHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;

/** What Convoy reads from an upload's tus metadata: the clip's fields, checked. */
public final class UploadMetadata {

    private UploadMetadata() {
    }

    /**
     * The earliest recording time taken as the camera says: before it, the camera's clock was
     * not set (dash cams restart at 1970 or their firmware's build date when the battery dies).
     */
    public static final Instant EARLIEST_RECORDING = Instant.parse("2000-01-01T00:00:00Z");
    /** How far past the upload a recording time may lie (a camera clock a little ahead, time zones). */
    public static final Duration CLOCK_AHEAD = Duration.ofDays(1);

    /** Parses the raw {@code Upload-Metadata} header (as kept with an upload created at {@code uploadedAt}). */
    public static ClipMetadata parse(String rawHeader, Instant uploadedAt) {
        return parse(TusHeaders.metadata(rawHeader, Integer.MAX_VALUE), uploadedAt);
    }

    /**
     * The clip's fields from decoded metadata pairs; refuses a value Convoy cannot use with
     * {@code ERR_INVALID_METADATA}. A {@code recordedAt} outside {@link #EARLIEST_RECORDING} to
     * {@code uploadedAt} + {@link #CLOCK_AHEAD} is a camera clock that was not set: the clip then
     * goes by its upload time, as one without {@code recordedAt} does.
     */
    public static ClipMetadata parse(Map<String, String> pairs, Instant uploadedAt) {
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
                throw TusError.INVALID_METADATA.exception(
                        "Metadata 'eventOffsetMs' must be a non-negative whole number of milliseconds.");
            }
        }
        Instant recordedAt = null;
        String recorded = pairs.get("recordedAt");
        if (recorded != null && !recorded.isEmpty()) {
            try {
                recordedAt = OffsetDateTime.parse(recorded).toInstant();
            } catch (DateTimeParseException | ArithmeticException e) {
                throw TusError.INVALID_METADATA.exception(
                        "Metadata 'recordedAt' must be an ISO-8601 timestamp with offset, e.g. 2026-11-27T08:15:00Z.");
            }
        }
        if (recordedAt != null && (recordedAt.isBefore(EARLIEST_RECORDING) || recordedAt.isAfter(uploadedAt.plus(CLOCK_AHEAD)))) {
            recordedAt = null;
        }
        return new ClipMetadata(kind, emptyToNull(pairs.get("filename")), emptyToNull(pairs.get("event")),
                eventOffsetMs, recordedAt, emptyToNull(pairs.get("clientClipId")));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
