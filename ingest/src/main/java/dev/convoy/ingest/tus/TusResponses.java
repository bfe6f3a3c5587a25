package dev.convoy.ingest.tus;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How the endpoint answers: an upload's headers, its URL, and every refusal, rendered in one place. */
final class TusResponses {

    private static final Logger LOG = LoggerFactory.getLogger(TusResponses.class);
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final UploadService uploads;
    private final TusMetrics metrics;

    TusResponses(UploadService uploads, TusMetrics metrics) {
        this.uploads = uploads;
        this.metrics = metrics;
    }

    /** {@code Upload-Length} (or {@code -Defer-Length}), {@code Upload-Concat} and, for an open upload, {@code Upload-Expires}. */
    void uploadHeaders(HttpServerResponse res, UploadState upload) {
        if (upload.isLengthDeferred()) {
            res.putHeader("Upload-Defer-Length", "1");
        } else {
            res.putHeader("Upload-Length", Long.toString(upload.length()));
        }
        if (upload.concat() == UploadState.Concat.PARTIAL) {
            res.putHeader("Upload-Concat", "partial");
        } else if (upload.concat() == UploadState.Concat.FINAL) {
            res.putHeader("Upload-Concat", "final;" + String.join(" ", upload.parts().stream().map(p -> "/files/" + uploads.urlName(p)).toList()));
        }
        if (uploads.canExpire(upload) && uploads.capabilities().canTerminate()) {
            res.putHeader("Upload-Expires", HTTP_DATE.format(uploads.expiresAt(upload)));
        }
    }

    /** The answer to a request that wrote bytes: the new offset and the upload's headers. */
    void written(RoutingContext rc, UploadState upload, int status) {
        HttpServerResponse res = rc.response();
        if (BodyDrainer.open(res)) {
            res.putHeader("Upload-Offset", Long.toString(upload.offset()));
            uploadHeaders(res, upload);
            res.setStatusCode(status).end();
        }
    }

    /** The upload's public URL, as the client reached us (a proxy in front says so in X-Forwarded-*). */
    static String location(HttpServerRequest req, String urlName) {
        String proto = req.getHeader("X-Forwarded-Proto");
        String host = req.getHeader("X-Forwarded-Host");
        if (host == null) {
            host = req.getHeader(HttpHeaders.HOST);
        }
        if (host == null) {
            return "/files/" + urlName;
        }
        return (proto != null ? proto : req.scheme()) + "://" + host + "/files/" + urlName;
    }

    /** Answers a failed request: a {@link TusException} with its error, anything else as 500 with the cause logged. */
    void fail(RoutingContext rc, Throwable cause) {
        TusError error;
        String message;
        int retryAfter = -1;
        if (cause instanceof TusException te) {
            error = te.error();
            message = te.getMessage();
            retryAfter = te.retryAfterSeconds();
        } else {
            error = TusError.INTERNAL;
            message = error.message();
            LOG.error("event=upload_request_failed path={}", rc.request().path(), cause);
        }
        metrics.refused(error);
        HttpServerResponse res = rc.response();
        if (!BodyDrainer.open(res)) {
            return;
        }
        if (retryAfter >= 0) {
            res.putHeader("Retry-After", Integer.toString(retryAfter));
        }
        if (error == TusError.READ_TIMEOUT) {
            // The body stalled: nothing more will come worth waiting for.
            answer(rc, error, message);
            return;
        }
        BodyDrainer.thenAnswer(rc, () -> answer(rc, error, message));
    }

    private static void answer(RoutingContext rc, TusError error, String message) {
        HttpServerResponse res = rc.response();
        if (!BodyDrainer.open(res)) {
            return;
        }
        res.setStatusCode(error.status())
                .putHeader("Tus-Resumable", TusHeaders.TUS_VERSION)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8");
        if (error == TusError.UNAUTHORIZED) {
            res.putHeader("WWW-Authenticate", "Bearer");
        }
        if (error == TusError.READ_TIMEOUT) {
            res.putHeader(HttpHeaders.CONNECTION, "close");
        }
        res.end(error.code() + ": " + message + "\n");
        if (error == TusError.READ_TIMEOUT || "close".equalsIgnoreCase(res.headers().get(HttpHeaders.CONNECTION))) {
            // Nothing more from this connection is wanted: a stalled body, or a client refused mid-upload.
            rc.request().connection().close();
        } else {
            BodyDrainer.afterAnswer(rc.request());
        }
    }
}
