package dev.convoy.ingest.tus;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Supplier;

/** {@code PATCH /files/{id}}: the core protocol's write, with creation-defer-length's late length. */
final class PatchHandler implements TusEndpoint.Method {

    private final UploadService uploads;
    private final UploadPolicy policy;
    private final Checksums checksums;
    private final TusResponses responses;

    PatchHandler(UploadService uploads, UploadPolicy policy, Checksums checksums, TusResponses responses) {
        this.uploads = uploads;
        this.policy = policy;
        this.checksums = checksums;
        this.responses = responses;
    }

    @Override
    public Future<Void> handle(RoutingContext rc, Uploader who) {
        HttpServerRequest req = rc.request();
        if (!TusHeaders.isOffsetStream(req.getHeader(HttpHeaders.CONTENT_TYPE))) {
            throw TusError.INVALID_CONTENT_TYPE.exception();
        }
        long clientOffset = TusHeaders.uploadOffset(req.getHeader("Upload-Offset"));
        UploadStore.ChunkCheck checksum = checksums.of(req);
        return HeadHandler.owned(uploads, rc, who).compose(found -> {
            if (found.concat() == UploadState.Concat.FINAL) {
                throw TusError.MODIFY_FINAL.exception();
            }
            if (!uploads.isKept(found.id())) {
                return settled(rc, found, clientOffset);
            }
            policy.beforeWrite(who, found);
            return write(rc, who, found, clientOffset, checksum);
        });
    }

    /** A PATCH for a settled upload (complete, handed on and forgotten): answered as for any complete upload. */
    private static Future<Void> settled(RoutingContext rc, UploadState upload, long clientOffset) {
        if (clientOffset != upload.offset()) {
            throw TusError.MISMATCHED_OFFSET.exception("Upload-Offset is " + clientOffset + " but the server has "
                    + upload.offset() + " bytes; the upload is complete.");
        }
        return emptyOrFinished(rc, upload);
    }

    private Future<Void> write(RoutingContext rc, Uploader who, UploadState found, long clientOffset,
                               UploadStore.ChunkCheck checksum) {
        HttpServerRequest req = rc.request();
        return uploads.locked(found.id(), req, () -> {
            // The state may have moved while a previous request was being cut off.
            UploadState upload = uploads.find(found.id());
            if (upload == null) {
                // Forgotten while this request waited for the lock (it was settled), or removed with its clip.
                return uploads.settled(who, found.id()).compose(settled -> {
                    if (settled == null) {
                        // It was here when this request came: removed, or handed to another node meanwhile. Asked
                        // again, the client gets the answer for where it is now, never a 404 that starts it over.
                        throw TusError.STATE_UNAVAILABLE.retryAfter(1, TusError.STATE_UNAVAILABLE.message());
                    }
                    return settled(rc, settled, clientOffset);
                });
            }
            if (clientOffset != upload.offset()) {
                throw TusError.MISMATCHED_OFFSET.exception("Upload-Offset is " + clientOffset
                        + " but the server has " + upload.offset() + " bytes; resume from " + upload.offset() + ".");
            }
            boolean withBody = TusHeaders.hasBody(req.getHeader(HttpHeaders.CONTENT_LENGTH),
                    req.getHeader(HttpHeaders.TRANSFER_ENCODING));
            if (upload.isComplete() && withBody) {
                return emptyOrFinished(rc, upload);
            }
            upload = declareLength(req, upload);
            long declared = TusHeaders.contentLength(req.getHeader(HttpHeaders.CONTENT_LENGTH));
            if (!upload.isLengthDeferred() && declared > upload.length() - upload.offset()) {
                throw TusError.SIZE_EXCEEDED.exception("The chunk of " + declared + " bytes goes past Upload-Length "
                        + upload.length() + " (offset " + upload.offset() + "); nothing was written.");
            }
            return receive(rc, upload, 204, checksum);
        });
    }

    /**
     * A chunked PATCH at the end of a complete upload. tus-java-client sends one, empty, when a
     * file is an exact multiple of its request size: an empty body changes nothing and gets 204;
     * a byte of data gets 403.
     */
    private static Future<Void> emptyOrFinished(RoutingContext rc, UploadState upload) {
        HttpServerRequest req = rc.request();
        Promise<Void> done = Promise.promise();
        req.handler(buf -> {
            if (buf.length() > 0) {
                done.tryFail(TusError.UPLOAD_FINISHED.exception());
            }
        });
        req.exceptionHandler(done::tryFail);
        req.endHandler(v -> {
            if (done.tryComplete()) {
                rc.response().putHeader("Upload-Offset", Long.toString(upload.offset())).setStatusCode(204).end();
            }
        });
        BodyInflow.start(req);
        return done.future();
    }

    /** creation-defer-length: the first PATCH that knows the length declares it; later ones may only repeat it. */
    private UploadState declareLength(HttpServerRequest req, UploadState upload) {
        Long length = TusHeaders.declaredLength(req.getHeader("Upload-Length"));
        if (length == null) {
            return upload;
        }
        if (!upload.isLengthDeferred()) {
            if (length != upload.length()) {
                throw TusError.INVALID_LENGTH.exception("Upload-Length is already " + upload.length() + " and cannot change.");
            }
            return upload;
        }
        if (length > uploads.maxSize()) {
            throw TusError.MAX_SIZE_EXCEEDED.exception("Upload-Length " + length + " exceeds the maximum of "
                    + uploads.maxSize() + " bytes.");
        }
        if (length < upload.offset()) {
            throw TusError.INVALID_LENGTH.exception("Upload-Length " + length + " is less than the " + upload.offset()
                    + " bytes already received.");
        }
        return upload.withLength(length);
    }

    /**
     * Streams the request body into the upload (its lock held), records the new offset
     * durably, then answers {@code okStatus}; a body that ended badly gets the matching error.
     */
    Future<Void> receive(RoutingContext rc, UploadState upload, int okStatus, UploadStore.ChunkCheck checksum) {
        UploadState stored = uploads.find(upload.id());
        if (stored != null && stored.isCompletionRecorded()) {
            responses.written(rc, stored, okStatus);
            return Future.succeededFuture();
        }
        // Even an empty body is written: it may complete the upload (a length of 0, or a length
        // just declared equal to the offset), and completion is recorded by the write.
        String authorization = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
        // Asked again before the bytes are acknowledged: a device revoked while it sent gets no receipt.
        Supplier<Future<?>> stillAllowed = () -> policy.authenticate(authorization).recover(err -> {
            rc.response().putHeader(HttpHeaders.CONNECTION, "close");
            return Future.failedFuture(err);
        });
        return uploads.write(upload, rc.request(), checksum, stillAllowed).compose(written -> {
            UploadStore.Appended appended = written.appended();
            UploadState state = written.state();
            if (appended.checksumMismatch()) {
                throw TusError.CHECKSUM_MISMATCH.exception();
            }
            if (appended.overflow()) {
                throw TusError.SIZE_EXCEEDED.exception();
            }
            if (appended.stalled()) {
                // Clients retry 5xx only: a stalled body gets a 500, its received bytes kept.
                throw TusError.READ_TIMEOUT.exception("The request body stalled, or arrived slower than this server's"
                        + " minimum rate; the " + state.offset() + " bytes received are kept, resume from there.");
            }
            responses.written(rc, state, okStatus);
            return Future.<Void>succeededFuture();
        });
    }
}
