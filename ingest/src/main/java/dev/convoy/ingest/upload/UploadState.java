package dev.convoy.ingest.upload;

import dev.convoy.ingest.clip.ClipMetadata;
import dev.convoy.ingest.clip.ClipRecord;
import dev.convoy.ingest.clip.ClipStatus;
import dev.convoy.ingest.clip.CompletedUpload;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;

/**
 * One upload as the server knows it. {@code offset} is only ever the acknowledged,
 * durable offset: it is saved after the bytes it counts were fsynced.
 */
public record UploadState(String id, String owner, String deviceId, long length, long offset,
                          ClipMetadata metadata, String rawMetadata, ClipStatus status,
                          Instant createdAt, Instant updatedAt, String failureReason) {

    public boolean isComplete() {
        return offset == length;
    }

    public UploadState withOffset(long newOffset) {
        return new UploadState(id, owner, deviceId, length, newOffset, metadata, rawMetadata, status,
                createdAt, Instant.now(), failureReason);
    }

    public UploadState withStatus(ClipStatus newStatus, String reason) {
        return new UploadState(id, owner, deviceId, length, offset, metadata, rawMetadata, newStatus,
                createdAt, Instant.now(), reason);
    }

    public ClipRecord record() {
        return new ClipRecord(id, owner, deviceId, status, metadata, length, offset, createdAt);
    }

    public CompletedUpload completed(Path spool) {
        return new CompletedUpload(id, owner, deviceId, metadata, spool, length, createdAt);
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
                .put("failureReason", failureReason);
    }

    public static UploadState fromJson(JsonObject json) {
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
                json.getString("failureReason"));
    }
}
