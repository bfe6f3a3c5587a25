package dev.convoy.ingest.tus;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/** {@code DELETE /files/{id}}: the termination extension. */
final class TerminationHandler implements TusEndpoint.Method {

    private final UploadService uploads;

    TerminationHandler(UploadService uploads) {
        this.uploads = uploads;
    }

    @Override
    public Future<Void> handle(RoutingContext rc, Uploader who) {
        UploadState found = HeadHandler.owned(uploads, rc, who);
        if (!uploads.capabilities().canTerminate()) {
            throw TusError.UPLOAD_NOT_FOUND.exception("This server does not support termination.");
        }
        return uploads.terminate(found.id(), rc.request()).onSuccess(v -> rc.response().setStatusCode(204).end());
    }
}
