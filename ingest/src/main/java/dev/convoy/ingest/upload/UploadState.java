package dev.convoy.ingest.upload;

import dev.convoy.ingest.clip.ClipMetadata;
import dev.convoy.ingest.clip.ClipRecord;
import dev.convoy.ingest.clip.ClipStatus;
import dev.convoy.ingest.clip.CompletedUpload;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * One upload as the server knows it. {@code offset} is only ever the acknowledged,
 * durable offset: it is saved after the bytes it counts were fsynced.
 *
 * @param length  the declared length, or {@link #DEFERRED} until the client declares it
 * @param concat  whether this is a plain upload, a partial one or a final concatenation
 * @param parts   for a final concatenation, the partial uploads it is made of, in order
 * @param sha256  hex SHA-256 of the whole upload once complete, else null
 */
public record UploadState(String id, String owner, String deviceId, long length, long offset,
                          ClipMetadata metadata, String rawMetadata, ClipStatus status,
                          Instant createdAt, Instant updatedAt, String failureReason,
                          Concat concat, List<String> parts, String sha256) {

    public static final long DEFERRED = -1;

    /** The tus concatenation role of an upload. */
    public enum Concat { NONE, PARTIAL, FINAL }

    public boolean isLengthDeferred() {
        return length == DEFERRED;
    }

    public boolean isComplete() {
        return length != DEFERRED && offset == length;
    }

    /** A partial upload is a piece of a later concatenation, not a clip of its own. */
    public boolean isClip() {
        return concat != Concat.PARTIAL;
    }

    public UploadState withOffset(long newOffset) {
        return new UploadState(id, owner, deviceId, length, newOffset, metadata, rawMetadata, status,
                createdAt, Instant.now(), failureReason, concat, parts, sha256);
    }

    /** The state as it was at {@code updatedAt} with {@code savedOffset} bytes: what a restart reads back. */
    public UploadState restored(long savedOffset, Instant savedAt) {
        return new UploadState(id, owner, deviceId, length, savedOffset, metadata, rawMetadata, status,
                createdAt, savedAt, failureReason, concat, parts, sha256);
    }

    public UploadState withLength(long newLength) {
        return new UploadState(id, owner, deviceId, newLength, offset, metadata, rawMetadata, status,
                createdAt, Instant.now(), failureReason, concat, parts, sha256);
    }

    public UploadState withStatus(ClipStatus newStatus, String reason) {
        return new UploadState(id, owner, deviceId, length, offset, metadata, rawMetadata, newStatus,
                createdAt, Instant.now(), reason, concat, parts, sha256);
    }

    public UploadState withSha256(String digest) {
        return new UploadState(id, owner, deviceId, length, offset, metadata, rawMetadata, status,
                createdAt, updatedAt, failureReason, concat, parts, digest);
    }

    public ClipRecord record() {
        return new ClipRecord(id, owner, deviceId, status, metadata, length, offset, createdAt);
    }

    public CompletedUpload completed(Path spool) {
        return new CompletedUpload(id, owner, deviceId, metadata, spool, length, createdAt, sha256);
    }

    public JsonObject toJson() {
        return new JsonObject()
                .put("id", id)
                .put("owner", owner)
                .put("deviceId", deviceId)
                .put("length", length)
                .put("offset", offset)
                .put("metadata", metadata.toJson())
                .put("rawMetadata", rawMetadata)
                .put("status", status.wireName())
                .put("createdAt", createdAt.toString())
                .put("updatedAt", updatedAt.toString())
                .put("failureReason", failureReason)
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
                ClipMetadata.fromJson(json.getJsonObject("metadata")),
                json.getString("rawMetadata"),
                ClipStatus.fromWire(json.getString("status")),
                Instant.parse(json.getString("createdAt")),
                Instant.parse(json.getString("updatedAt")),
                json.getString("failureReason"),
                Concat.valueOf(json.getString("concat", Concat.NONE.name())),
                parts.stream().map(Object::toString).toList(),
                json.getString("sha256"));
    }
}
