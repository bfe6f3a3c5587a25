package dev.convoy.ingest.tus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * One upload as the protocol knows it: open until every declared byte has arrived, then
 * complete. What the bytes are (a clip, its processing) is none of this layer's business.
 * {@code offset} is only ever the acknowledged, durable offset: it is saved after the
 * bytes it counts were fsynced.
 *
 * @param owner       who may see and change the upload (from {@link UploadPolicy#authenticate})
 * @param deviceId    the client within the owner that created it
 * @param length      the declared length, or {@link #DEFERRED} until the client declares it
 * @param rawMetadata the {@code Upload-Metadata} header as sent, echoed by HEAD
 * @param concat      whether this is a plain upload, a partial one or a final concatenation
 * @param parts       for a final concatenation, the partial uploads it is made of, in order
 * @param sha256      hex SHA-256 of the whole upload once complete, else null
 */
public record UploadState(String id, String owner, String deviceId, long length, long offset, String rawMetadata,
                          Instant createdAt, Instant updatedAt, Concat concat, List<String> parts, String sha256) {

    public static final long DEFERRED = -1;

    /** The tus concatenation role of an upload. */
    public enum Concat { NONE, PARTIAL, FINAL }

    /** A new, empty upload created now. */
    public static UploadState created(String id, Uploader who, long length, String rawMetadata, Concat concat,
                                      List<String> parts) {
        Instant now = Instant.now();
        return new UploadState(id, who.owner(), who.device(), length, 0, rawMetadata, now, now, concat, parts, null);
    }

    /**
     * A complete upload this server no longer keeps (it was handed on and then forgotten; see
     * {@link UploadService#forget}), as its client sees it: every byte of {@code length} there.
     */
    public static UploadState settled(String id, Uploader who, long length) {
        return new UploadState(id, who.owner(), who.device(), length, length, null, Instant.EPOCH, Instant.EPOCH,
                Concat.NONE, List.of(), null);
    }

    public boolean isLengthDeferred() {
        return length == DEFERRED;
    }

    public boolean isComplete() {
        return length != DEFERRED && offset == length;
    }

    /** Complete, and its completion recorded (its SHA-256 taken and the upload handed on). */
    public boolean isCompletionRecorded() {
        return isComplete() && sha256 != null;
    }

    /** A partial upload is a piece of a later concatenation, never a whole of its own. */
    public boolean isPartial() {
        return concat == Concat.PARTIAL;
    }

    public UploadState withOffset(long newOffset) {
        return new UploadState(id, owner, deviceId, length, newOffset, rawMetadata, createdAt, Instant.now(), concat,
                parts, sha256);
    }

    /** The state as it was at {@code savedAt} with {@code savedOffset} bytes: what a restart reads back. */
    public UploadState restored(long savedOffset, Instant savedAt) {
        return new UploadState(id, owner, deviceId, length, savedOffset, rawMetadata, createdAt, savedAt, concat, parts,
                sha256);
    }

    public UploadState withLength(long newLength) {
        return new UploadState(id, owner, deviceId, newLength, offset, rawMetadata, createdAt, Instant.now(), concat,
                parts, sha256);
    }

    public UploadState withSha256(String digest) {
        return new UploadState(id, owner, deviceId, length, offset, rawMetadata, createdAt, updatedAt, concat, parts,
                digest);
    }

    public JsonObject toJson() {
        return new JsonObject()
                .put("id", id)
                .put("owner", owner)
                .put("deviceId", deviceId)
                .put("length", length)
                .put("offset", offset)
                .put("rawMetadata", rawMetadata)
                .put("createdAt", createdAt.toString())
                .put("updatedAt", updatedAt.toString())
                .put("concat", concat.name())
                .put("parts", new JsonArray(parts))
                .put("sha256", sha256);
    }

    public static UploadState fromJson(JsonObject json) {
        JsonArray parts = json.getJsonArray("parts", new JsonArray());
        return new UploadState(
                json.getString("id"),
                json.getString("owner"),
                json.getString("deviceId"),
                json.getLong("length"),
                json.getLong("offset"),
                json.getString("rawMetadata"),
                Instant.parse(json.getString("createdAt")),
                Instant.parse(json.getString("updatedAt")),
                Concat.valueOf(json.getString("concat", Concat.NONE.name())),
                parts.stream().map(Object::toString).toList(),
                json.getString("sha256"));
    }
}
