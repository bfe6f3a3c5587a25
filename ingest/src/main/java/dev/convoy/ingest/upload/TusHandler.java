package dev.convoy.ingest.upload;

import dev.convoy.ingest.auth.AuthException;
import dev.convoy.ingest.auth.DeviceTokens;
import dev.convoy.ingest.auth.Principal;
import dev.convoy.ingest.clip.ClipMetadata;
import dev.convoy.ingest.clip.ClipStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tus 1.0 endpoint at {@code /files/}: core protocol, creation, creation-with-upload
 * and (when the store can) termination. It speaks HTTP and tus only; the bytes go to an
 * {@link UploadStore}.
 */
public final class TusHandler {

    public static final String TUS_VERSION = "1.0.0";
    static final String OFFSET_OCTET_STREAM = "application/offset+octet-stream";
    private static final Logger LOG = LoggerFactory.getLogger(TusHandler.class);
    /** After an error reply, a small unread body is drained so the client can read the reply; more closes the connection. */
    private static final long DRAIN_LIMIT = 4L << 20;
    private static final SecureRandom IDS = new SecureRandom();

    private final UploadStore store;
    private final DeviceTokens tokens;
    private final UploadListener listener;
    private final UploadLocks locks = new UploadLocks();
    private final long maxSize;
    private final String extensions;
    private final Counter created;
    private final Counter completed;
    private final Counter terminated;
    private final Counter bytes;
    private final MeterRegistry registry;

    public TusHandler(UploadStore store, DeviceTokens tokens, UploadListener listener, long maxSize, MeterRegistry registry) {
        this.store = store;
        this.tokens = tokens;
        this.listener = listener;
        this.maxSize = maxSize;
        this.registry = registry;
        List<String> ext = new ArrayList<>(List.of("creation", "creation-with-upload"));
        if (store instanceof UploadStore.Terminator) {
            ext.add("termination");
        }
        this.extensions = String.join(",", ext);
        this.created = Counter.builder("convoy.upload.creations").description("Uploads created").register(registry);
        this.completed = Counter.builder("convoy.uploads.completed").description("Uploads whose every byte arrived").register(registry);
        this.terminated = Counter.builder("convoy.uploads.terminated").description("Uploads deleted by their client").register(registry);
        this.bytes = Counter.builder("convoy.upload.bytes").baseUnit("bytes").description("Bytes received and stored").register(registry);
    }

    public void mount(Router router) {
        for (String path : List.of("/files", "/files/")) {
            router.options(path).handler(this::options);
            router.post(path).handler(rc -> timed(rc, "POST", this::create));
        }
        // HttpURLConnection (and so the tus Java client) cannot send PATCH: it POSTs with an override.
        router.post("/files/:id").handler(this::methodOverride);
        router.options("/files/:id").handler(this::options);
        router.head("/files/:id").handler(rc -> timed(rc, "HEAD", this::head));
        router.patch("/files/:id").handler(rc -> timed(rc, "PATCH", this::patch));
        router.delete("/files/:id").handler(rc -> timed(rc, "DELETE", this::terminate));
    }

    private void methodOverride(RoutingContext rc) {
        String override = rc.request().getHeader("X-HTTP-Method-Override");
        if (override == null) {
            rc.next();
            return;
        }
        switch (override.trim().toUpperCase(java.util.Locale.ROOT)) {
            case "PATCH" -> rc.reroute(HttpMethod.PATCH, rc.request().path());
            case "DELETE" -> rc.reroute(HttpMethod.DELETE, rc.request().path());
            case "HEAD" -> rc.reroute(HttpMethod.HEAD, rc.request().path());
            default -> rc.next();
        }
    }

    private interface TusOperation {
        Future<Void> handle(RoutingContext rc, Principal who);
    }

    private void timed(RoutingContext rc, String method, TusOperation op) {
        HttpServerRequest req = rc.request();
        // Nothing reads the body until the upload is found and locked.
        req.pause();
        Timer.Sample sample = Timer.start(registry);
        rc.response().putHeader("Tus-Resumable", TUS_VERSION);
        Future<Void> result;
        try {
            requireVersion(req);
            result = tokens.authenticate(req.getHeader(HttpHeaders.AUTHORIZATION)).compose(who -> op.handle(rc, who));
        } catch (TusException e) {
            result = Future.failedFuture(e);
        }
        result.onComplete(ar -> {
            if (ar.failed()) {
                fail(rc, ar.cause());
            }
            sample.stop(Timer.builder("convoy.upload.request")
                    .description("Upload endpoint request time")
                    .tag("method", method)
                    .publishPercentileHistogram()
                    .register(registry));
        });
    }

    private void options(RoutingContext rc) {
        rc.response()
                .putHeader("Tus-Resumable", TUS_VERSION)
                .putHeader("Tus-Version", TUS_VERSION)
                .putHeader("Tus-Extension", extensions)
                .putHeader("Tus-Max-Size", Long.toString(maxSize))
                .setStatusCode(204)
                .end();
    }

    private Future<Void> create(RoutingContext rc, Principal who) {
        HttpServerRequest req = rc.request();
        if (req.getHeader("Upload-Defer-Length") != null) {
            throw TusError.INVALID_LENGTH.exception("Deferred upload lengths are not supported; send Upload-Length.");
        }
        long length = parseNonNegative(req.getHeader("Upload-Length"), TusError.INVALID_LENGTH);
        if (length > maxSize) {
            throw TusError.MAX_SIZE_EXCEEDED.exception("Upload-Length " + length + " exceeds the maximum of " + maxSize + " bytes.");
        }
        String rawMetadata = req.getHeader("Upload-Metadata");
        ClipMetadata metadata = UploadMetadata.parse(rawMetadata);
        boolean withBody = hasBody(req);
        if (withBody && !isOffsetStream(req)) {
            throw TusError.INVALID_CONTENT_TYPE.exception();
        }
        Instant now = Instant.now();
        String deviceId = who.isDevice() ? who.deviceId() : "owner";
        UploadState fresh = new UploadState(newId(), who.owner(), deviceId, length, 0, metadata, rawMetadata,
                ClipStatus.UPLOADING, now, now, null);
        return store.create(fresh).compose(upload -> {
            created.increment();
            LOG.info("event=upload_created upload={} owner={} device={} length={} kind={}",
                    upload.id(), upload.owner(), upload.deviceId(), upload.length(), metadata.kind().wireName());
            listener.onProgress(upload);
            HttpServerResponse res = rc.response()
                    .putHeader(HttpHeaders.LOCATION, location(req, upload.id()));
            if (!withBody && !upload.isComplete()) {
                res.setStatusCode(201).end();
                return Future.succeededFuture();
            }
            return locks.acquire(upload.id(), req).compose(lock -> receive(rc, store.get(upload.id()), 201)
                    .andThen(ar -> lock.release()));
        });
    }

    private Future<Void> head(RoutingContext rc, Principal who) {
        UploadState upload = owned(rc, who);
        rc.response()
                .putHeader("Upload-Offset", Long.toString(upload.offset()))
                .putHeader("Upload-Length", Long.toString(upload.length()))
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        if (upload.rawMetadata() != null) {
            rc.response().putHeader("Upload-Metadata", upload.rawMetadata());
        }
        rc.response().setStatusCode(200).end();
        return Future.succeededFuture();
    }

    private Future<Void> patch(RoutingContext rc, Principal who) {
        HttpServerRequest req = rc.request();
        if (!isOffsetStream(req)) {
            throw TusError.INVALID_CONTENT_TYPE.exception();
        }
        long clientOffset = parseNonNegative(req.getHeader("Upload-Offset"), TusError.INVALID_OFFSET);
        UploadState found = owned(rc, who);
        return locks.acquire(found.id(), req).compose(lock -> {
            Future<Void> work;
            try {
                // The state may have moved while a previous request was being cut off.
                UploadState upload = store.get(found.id());
                if (upload == null) {
                    throw TusError.UPLOAD_NOT_FOUND.exception();
                }
                if (clientOffset != upload.offset()) {
                    throw TusError.MISMATCHED_OFFSET.exception("Upload-Offset is " + clientOffset
                            + " but the server has " + upload.offset() + " bytes; resume from " + upload.offset() + ".");
                }
                long declared = contentLength(req);
                if (upload.status() != ClipStatus.UPLOADING && hasBody(req)) {
                    throw TusError.UPLOAD_FINISHED.exception();
                }
                if (declared > upload.length() - upload.offset()) {
                    throw TusError.SIZE_EXCEEDED.exception("The chunk of " + declared + " bytes goes past Upload-Length "
                            + upload.length() + " (offset " + upload.offset() + "); nothing was written.");
                }
                work = receive(rc, upload, 204);
            } catch (TusException e) {
                work = Future.failedFuture(e);
            }
            return work.andThen(ar -> lock.release());
        });
    }

    /** Streams the request body into the upload, records the new offset durably, then answers. */
    private Future<Void> receive(RoutingContext rc, UploadState upload, int okStatus) {
        HttpServerRequest req = rc.request();
        if (upload.status() != ClipStatus.UPLOADING) {
            if (!hasBody(req)) {
                rc.response().putHeader("Upload-Offset", Long.toString(upload.offset())).setStatusCode(okStatus).end();
                return Future.succeededFuture();
            }
            throw TusError.UPLOAD_FINISHED.exception();
        }
        return store.append(upload, req, upload.length() - upload.offset(), bytes::increment)
                .compose(appended -> {
                    UploadState moved = upload.withOffset(upload.offset() + appended.bytes());
                    if (moved.isComplete()) {
                        moved = moved.withStatus(ClipStatus.PROCESSING, null);
                    }
                    Future<UploadState> saved = appended.bytes() > 0 || moved.isComplete() && upload.status() == ClipStatus.UPLOADING
                            ? store.save(moved) : Future.succeededFuture(upload);
                    return saved.compose(state -> {
                        if (appended.interruption() != null) {
                            LOG.info("event=upload_interrupted upload={} offset={} received={} cause=\"{}\"",
                                    state.id(), state.offset(), appended.bytes(), appended.interruption().getMessage());
                        }
                        if (state.isComplete() && upload.status() == ClipStatus.UPLOADING) {
                            completed.increment();
                            LOG.info("event=upload_completed upload={} bytes={}", state.id(), state.length());
                            listener.onCompleted(state);
                        } else if (appended.bytes() > 0) {
                            listener.onProgress(state);
                        }
                        if (appended.overflow()) {
                            throw TusError.SIZE_EXCEEDED.exception();
                        }
                        if (!rc.response().ended() && !rc.response().closed()) {
                            rc.response().putHeader("Upload-Offset", Long.toString(state.offset()))
                                    .setStatusCode(okStatus).end();
                        }
                        return Future.<Void>succeededFuture();
                    });
                });
    }

    private Future<Void> terminate(RoutingContext rc, Principal who) {
        UploadState found = owned(rc, who);
        if (!(store instanceof UploadStore.Terminator terminator)) {
            throw TusError.UPLOAD_NOT_FOUND.exception("This server does not support termination.");
        }
        return locks.acquire(found.id(), rc.request()).compose(lock -> {
            UploadState upload = store.get(found.id());
            Future<Void> work;
            if (upload == null) {
                work = Future.failedFuture(TusError.UPLOAD_NOT_FOUND.exception());
            } else if (upload.status() != ClipStatus.UPLOADING) {
                work = Future.failedFuture(TusError.UPLOAD_FINISHED.exception());
            } else {
                work = terminator.terminate(upload.id()).onSuccess(v -> {
                    terminated.increment();
                    LOG.info("event=upload_terminated upload={}", upload.id());
                    listener.onTerminated(upload);
                    rc.response().setStatusCode(204).end();
                });
            }
            return work.andThen(ar -> lock.release());
        });
    }

    /** The upload named in the path if it belongs to the caller's owner; otherwise 404, so existence is not leaked. */
    private UploadState owned(RoutingContext rc, Principal who) {
        UploadState upload = store.get(rc.pathParam("id"));
        if (upload == null || !upload.owner().equals(who.owner())) {
            throw TusError.UPLOAD_NOT_FOUND.exception();
        }
        return upload;
    }

    private void fail(RoutingContext rc, Throwable cause) {
        TusError error;
        String message;
        if (cause instanceof TusException te) {
            error = te.error();
            message = te.getMessage();
        } else if (cause instanceof AuthException) {
            error = TusError.UNAUTHORIZED;
            message = error.message();
        } else {
            error = TusError.INTERNAL;
            message = error.message();
            LOG.error("event=upload_request_failed path={}", rc.request().path(), cause);
        }
        registry.counter("convoy.upload.errors", "code", error.code()).increment();
        HttpServerResponse res = rc.response();
        if (res.ended() || res.closed()) {
            return;
        }
        res.setStatusCode(error.status())
                .putHeader("Tus-Resumable", TUS_VERSION)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8");
        if (error == TusError.UNAUTHORIZED) {
            res.putHeader("WWW-Authenticate", "Bearer");
        }
        res.end(error.code() + ": " + message + "\n");
        drainOrClose(rc.request());
    }

    /** Lets the client finish sending a small body so it can read the error; a large one is cut. */
    private static void drainOrClose(HttpServerRequest req) {
        if (req.isEnded()) {
            return;
        }
        long[] seen = {0};
        req.handler(buf -> {
            seen[0] += buf.length();
            if (seen[0] > DRAIN_LIMIT) {
                req.handler(null);
                req.connection().close();
            }
        });
        req.exceptionHandler(err -> { });
        req.resume();
    }

    private static void requireVersion(HttpServerRequest req) {
        if (!TUS_VERSION.equals(req.getHeader("Tus-Resumable"))) {
            throw TusError.UNSUPPORTED_VERSION.exception();
        }
    }

    private static boolean isOffsetStream(HttpServerRequest req) {
        String type = req.getHeader(HttpHeaders.CONTENT_TYPE);
        return type != null && type.split(";", 2)[0].trim().equalsIgnoreCase(OFFSET_OCTET_STREAM);
    }

    private static boolean hasBody(HttpServerRequest req) {
        String transferEncoding = req.getHeader(HttpHeaders.TRANSFER_ENCODING);
        return contentLength(req) > 0 || transferEncoding != null && transferEncoding.toLowerCase().contains("chunked");
    }

    private static long contentLength(HttpServerRequest req) {
        String value = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static long parseNonNegative(String value, TusError error) {
        if (value == null) {
            throw error.exception();
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the error below
        }
        throw error.exception();
    }

    private static String location(HttpServerRequest req, String id) {
        String proto = req.getHeader("X-Forwarded-Proto");
        String host = req.getHeader("X-Forwarded-Host");
        if (host == null) {
            host = req.getHeader(HttpHeaders.HOST);
        }
        if (host == null) {
            return "/files/" + id;
        }
        return (proto != null ? proto : req.scheme()) + "://" + host + "/files/" + id;
    }

    static String newId() {
        byte[] b = new byte[16];
        IDS.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
