package dev.convoy.ingest.tus;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;

/** {@code HEAD /files/{id}}: where an upload stands, so its client can resume. */
final class HeadHandler implements TusEndpoint.Method {

    private final UploadService uploads;
    private final TusResponses responses;

    HeadHandler(UploadService uploads, TusResponses responses) {
        this.uploads = uploads;
        this.responses = responses;
    }

    @Override
    public Future<Void> handle(RoutingContext rc, Uploader who) {
        return owned(uploads, rc, who).map(upload -> {
            answer(rc, upload);
            return null;
        });
    }

    private void answer(RoutingContext rc, UploadState upload) {
        HttpServerResponse res = rc.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        // A final concatenation has no offset of its own until its parts are joined.
        if (upload.concat() != UploadState.Concat.FINAL || upload.isComplete()) {
            res.putHeader("Upload-Offset", Long.toString(upload.offset()));
        }
        if (upload.rawMetadata() != null) {
            res.putHeader("Upload-Metadata", upload.rawMetadata());
        }
        responses.uploadHeaders(res, upload);
        res.setStatusCode(200).end();
    }

    /**
     * The upload named in the path if it belongs to the caller's owner, kept here or settled
     * (complete, handed on and forgotten: {@link UploadService#settled}); otherwise 410 when it
     * expired, else 404, so existence is not leaked.
     */
    static Future<UploadState> owned(UploadService uploads, RoutingContext rc, Uploader who) {
        String id = rc.pathParam("id");
        UploadState upload = uploads.find(id);
        if (upload != null && upload.owner().equals(who.owner())) {
            if (uploads.isExpired(upload, Instant.now())) {
                throw TusError.UPLOAD_EXPIRED.exception();
            }
            return Future.succeededFuture(upload);
        }
        if (uploads.expiredFor(who.owner(), id)) {
            throw TusError.UPLOAD_EXPIRED.exception();
        }
        return uploads.settled(who, id).map(settled -> {
            if (settled == null) {
                throw TusError.UPLOAD_NOT_FOUND.exception();
            }
            return settled;
        });
    }
}
