package dev.convoy.ingest.tus;

/**
 * Every error the upload endpoint answers with: an HTTP status, a stable code clients can
 * branch on, and a sentence a person can act on.
 */
public enum TusError {
    UNSUPPORTED_VERSION(412, "ERR_UNSUPPORTED_VERSION", "Send 'Tus-Resumable: 1.0.0'; this server speaks tus 1.0.0."),
    UNAUTHORIZED(401, "ERR_UNAUTHORIZED", "Send 'Authorization: Bearer <device token>': pair the device with POST /api/devices (or sign in for an owner token)."),
    UPLOAD_NOT_FOUND(404, "ERR_UPLOAD_NOT_FOUND", "No such upload; create a new one with POST /files/."),
    INVALID_CONTENT_TYPE(415, "ERR_INVALID_CONTENT_TYPE", "Send chunks with 'Content-Type: application/offset+octet-stream'."),
    MISMATCHED_OFFSET(409, "ERR_MISMATCHED_OFFSET", "Upload-Offset does not match the bytes received; HEAD the upload and resume from its Upload-Offset."),
    INVALID_OFFSET(400, "ERR_INVALID_OFFSET", "Upload-Offset must be a non-negative whole number."),
    INVALID_LENGTH(400, "ERR_INVALID_UPLOAD_LENGTH", "Upload-Length must be a non-negative whole number; to declare it later, send 'Upload-Defer-Length: 1' instead."),
    MAX_SIZE_EXCEEDED(413, "ERR_MAX_SIZE_EXCEEDED", "Upload-Length is larger than this server accepts (see Tus-Max-Size)."),
    SIZE_EXCEEDED(413, "ERR_UPLOAD_SIZE_EXCEEDED", "The chunk goes past Upload-Length; bytes up to the length were kept, HEAD the upload for its offset."),
    INVALID_METADATA(400, "ERR_INVALID_METADATA", "Upload-Metadata must be comma-separated 'key base64value' pairs."),
    UPLOAD_EXPIRED(410, "ERR_UPLOAD_EXPIRED", "This upload expired before it was finished and its bytes were deleted; create a new upload."),
    INVALID_CHECKSUM(400, "ERR_INVALID_CHECKSUM", "Upload-Checksum must be '<algorithm> <base64 digest>' with an algorithm from Tus-Checksum-Algorithm."),
    CHECKSUM_TRAILER_MISSING(400, "ERR_CHECKSUM_TRAILER_MISSING", "The request announced 'Trailer: Upload-Checksum' but its body ended without that trailer; the chunk was discarded, send it again from the same offset."),
    CHECKSUM_MISMATCH(460, "ERR_CHECKSUM_MISMATCH", "The chunk does not match its Upload-Checksum and was discarded; send it again from the same offset."),
    INVALID_CONCAT(400, "ERR_INVALID_CONCAT", "Upload-Concat must be 'partial' or 'final;' followed by the URLs of your partial uploads."),
    MODIFY_FINAL(403, "ERR_MODIFY_FINAL", "A final concatenation takes no bytes of its own; PATCH its partial uploads."),
    METADATA_TOO_LARGE(400, "ERR_METADATA_TOO_LARGE", "Upload-Metadata is larger than this server accepts; send only the clip's fields."),
    TOO_MANY_UPLOADS(429, "ERR_TOO_MANY_UPLOADS", "This device has too many unfinished uploads; finish or delete one first."),
    INSUFFICIENT_STORAGE(507, "ERR_INSUFFICIENT_STORAGE", "The server's disk is nearly full; the bytes sent so far are kept, retry after the Retry-After seconds."),
    OWNER_BYTES_IN_FLIGHT(429, "ERR_OWNER_BYTES_IN_FLIGHT", "This account's unfinished uploads already add up to as much as it may have in flight; finish or delete some first."),
    SERVER_BUSY(503, "ERR_SERVER_BUSY", "The server is not taking new uploads right now; retry after the Retry-After seconds. Uploads already started continue."),
    TRAILER_NOT_FORWARDED(400, "ERR_CHECKSUM_TRAILER_NOT_FORWARDED", "This upload is held by another node, and a checksum trailer cannot be passed on to it; send the chunk's checksum as an Upload-Checksum header instead."),
    NODE_UNREACHABLE(503, "ERR_NODE_UNREACHABLE", "The node that holds this upload cannot be reached right now; the bytes it acknowledged are kept, retry after the Retry-After seconds."),
    STATE_UNAVAILABLE(503, "ERR_STATE_UNAVAILABLE", "Where this upload stands cannot be read right now; retry after the Retry-After seconds."),
    READ_TIMEOUT(500, "ERR_READ_TIMEOUT", "The request body stalled; the bytes received were kept, HEAD the upload and resume."),
    UPLOAD_FINISHED(403, "ERR_UPLOAD_FINISHED", "This upload is complete and can no longer be changed; delete the clip through the API."),
    INTERNAL(500, "ERR_INTERNAL", "The server failed to handle the request; retry it.");

    private final int status;
    private final String code;
    private final String message;

    TusError(int status, String code, String message) {
        this.status = status;
        this.code = code;
        this.message = message;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String message() {
        return message;
    }

    public TusException exception() {
        return new TusException(this, message);
    }

    public TusException exception(String detail) {
        return new TusException(this, detail);
    }

    /** A refusal the client should retry after {@code seconds} (sent as {@code Retry-After}). */
    public TusException retryAfter(int seconds, String detail) {
        return new TusException(this, detail, seconds);
    }
}
