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
        return HeadHandler.owned(uploads, rc, who).compose(found -> {
            if (!uploads.capabilities().canTerminate()) {
                throw TusError.UPLOAD_NOT_FOUND.exception("This server does not support termination.");
            }
            if (!uploads.isKept(found.id())) {
                // Settled: complete and handed on long ago, as final as any complete upload.
                throw TusError.UPLOAD_FINISHED.exception();
            }
            return uploads.terminate(found.id(), rc.request()).onSuccess(v -> rc.response().setStatusCode(204).end());
        });
    }
}
