package dev.convoy.ingest.upload;

import dev.convoy.ingest.auth.AuthException;
import dev.convoy.ingest.auth.DeviceTokens;
import dev.convoy.ingest.auth.Principal;
import dev.convoy.ingest.clip.ClipMetadata;
import dev.convoy.ingest.clip.ClipStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tus 1.0 endpoint at {@code /files/}: the core protocol and the creation,
 * creation-with-upload, creation-defer-length, termination, expiration, checksum,
 * concatenation and concatenation-unfinished extensions. It speaks HTTP and tus only;
 * bytes go to an {@link UploadStore}, and the advertised extensions follow from what the
 * store can do.
 */
public final class TusHandler {

    public static final String TUS_VERSION = "1.0.0";
    static final String OFFSET_OCTET_STREAM = "application/offset+octet-stream";
    /** Headers browsers may send and read across origins (for the CORS handler in front). */
    public static final Set<String> REQUEST_HEADERS = Set.of("Authorization", "Content-Type", "Tus-Resumable",
            "Upload-Length", "Upload-Offset", "Upload-Metadata", "Upload-Defer-Length", "Upload-Concat",
            "Upload-Checksum", "X-HTTP-Method-Override", "X-Requested-With");
    public static final Set<String> RESPONSE_HEADERS = Set.of("Location", "Tus-Resumable", "Tus-Version",
            "Tus-Extension", "Tus-Max-Size", "Tus-Checksum-Algorithm", "Upload-Offset", "Upload-Length",
            "Upload-Metadata", "Upload-Defer-Length", "Upload-Concat", "Upload-Expires", "Convoy-Clip-Id", "Retry-After");
    private static final Logger LOG = LoggerFactory.getLogger(TusHandler.class);
    /** After an error reply, a small unread body is drained so the client can read the reply; more closes the connection. */
    private static final long DRAIN_LIMIT = 4L << 20;
    private static final SecureRandom IDS = new SecureRandom();
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final UploadStore store;
    private final DeviceTokens tokens;
    private final UploadListener listener;
    private final UploadLimits limits;
    private final Admission admission;
    private final UploadLocks locks = new UploadLocks();
    private final String extensions;
    private final String checksumAlgorithms;
    /** Camera's own clip id (owner, device, clientClipId) to upload id: a retried POST finds its upload. */
    private final Map<String, String> byClientClipId = new ConcurrentHashMap<>();
    /** Uploads swept after expiring, so a late client learns why (410) rather than 404. */
    private final Map<String, String> expired = new ConcurrentHashMap<>();
    /** Uploads whose last request was cut off: their next write is a resume. */
    private final Set<String> interrupted = ConcurrentHashMap.newKeySet();
    private final AtomicInteger active = new AtomicInteger();
    private final Map<String, Timer> requestTimers = new ConcurrentHashMap<>();
    private final Counter created;
    private final Counter completed;
    private final Counter terminated;
    private final Counter expiredCount;
    private final Counter resumes;
    private final Counter bytes;
    private final MeterRegistry registry;

    public TusHandler(UploadStore store, DeviceTokens tokens, UploadListener listener, UploadLimits limits,
                      Admission admission, MeterRegistry registry) {
        this.store = store;
        this.tokens = tokens;
        this.listener = listener;
        this.limits = limits;
        this.admission = admission;
        this.registry = registry;
        List<String> ext = new ArrayList<>(List.of("creation", "creation-with-upload", "creation-defer-length"));
        if (store instanceof UploadStore.Terminator) {
            ext.add("termination");
            ext.add("expiration");
        }
        if (!store.checksumAlgorithms().isEmpty()) {
            ext.add("checksum");
            // Trailers are kept by RequestTrailers on every HTTP/1.1 connection (see onConnection).
            ext.add("checksum-trailer");
        }
        if (store instanceof UploadStore.Concatenator) {
            ext.add("concatenation");
            ext.add("concatenation-unfinished");
        }
        this.extensions = String.join(",", ext);
        this.checksumAlgorithms = String.join(",", new TreeSet<>(store.checksumAlgorithms()));
        for (UploadState upload : store.all()) {
            indexClientClipId(upload);
        }
        this.created = Counter.builder("convoy.upload.creations").description("Uploads created").register(registry);
        this.completed = Counter.builder("convoy.uploads.completed").description("Uploads whose every byte arrived").register(registry);
        this.terminated = Counter.builder("convoy.uploads.terminated").description("Uploads deleted by their client").register(registry);
        this.expiredCount = Counter.builder("convoy.uploads.expired").description("Unfinished uploads deleted after expiring").register(registry);
        this.resumes = Counter.builder("convoy.upload.resumes").description("Writes that resumed an upload after its previous request was cut off").register(registry);
        this.bytes = Counter.builder("convoy.upload.bytes").baseUnit("bytes").description("Bytes received and stored").register(registry);
        Gauge.builder("convoy.uploads.active", active, AtomicInteger::get).description("Upload requests in progress").register(registry);
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

    /** Deletes unfinished uploads whose last write is older than the expiry; the server calls this periodically. */
    public Future<Integer> sweepExpired() {
        if (!(store instanceof UploadStore.Terminator terminator)) {
            return Future.succeededFuture(0);
        }
        Instant now = Instant.now();
        List<Future<Void>> sweeps = new ArrayList<>();
        for (UploadState upload : store.all()) {
            if (upload.status() == ClipStatus.UPLOADING && !upload.isComplete() && expiresAt(upload).isBefore(now)) {
                expired.put(upload.id(), upload.owner());
                interrupted.remove(upload.id());
                forgetClientClipId(upload);
                sweeps.add(terminator.terminate(upload.id()).onSuccess(v -> {
                    expiredCount.increment();
                    LOG.info("event=upload_expired upload={} offset={} length={}", upload.id(), upload.offset(), upload.length());
                    listener.onTerminated(upload);
                }));
            }
        }
        return Future.join(sweeps).map(cf -> sweeps.size());
    }

    private void methodOverride(RoutingContext rc) {
        String override = rc.request().getHeader("X-HTTP-Method-Override");
        if (override == null) {
            rc.next();
            return;
        }
        switch (override.trim().toUpperCase(Locale.ROOT)) {
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
        active.incrementAndGet();
        rc.response().putHeader("Tus-Resumable", TUS_VERSION);
        Future<Void> result;
        try {
            requireVersion(req);
            result = tokens.authenticate(req.getHeader(HttpHeaders.AUTHORIZATION)).compose(who -> op.handle(rc, who));
        } catch (TusException e) {
            result = Future.failedFuture(e);
        }
        result.onComplete(ar -> {
            active.decrementAndGet();
            if (ar.failed()) {
                fail(rc, ar.cause());
            }
            sample.stop(requestTimers.computeIfAbsent(method, m -> Timer.builder("convoy.upload.request")
                    .description("Upload endpoint request time")
                    .tag("method", m)
                    .publishPercentileHistogram()
                    .register(registry)));
        });
    }

    private void options(RoutingContext rc) {
        HttpServerResponse res = rc.response()
                .putHeader("Tus-Resumable", TUS_VERSION)
                .putHeader("Tus-Version", TUS_VERSION)
                .putHeader("Tus-Extension", extensions)
                .putHeader("Tus-Max-Size", Long.toString(limits.maxSize()));
        if (!checksumAlgorithms.isEmpty()) {
            res.putHeader("Tus-Checksum-Algorithm", checksumAlgorithms);
        }
        res.setStatusCode(204).end();
    }

    private Future<Void> create(RoutingContext rc, Principal who) {
        HttpServerRequest req = rc.request();
        String concatHeader = req.getHeader("Upload-Concat");
        UploadState.Concat concat = UploadState.Concat.NONE;
        List<UploadState> parts = List.of();
        if (concatHeader != null) {
            String value = concatHeader.trim();
            if (value.equals("partial")) {
                concat = UploadState.Concat.PARTIAL;
            } else if (value.startsWith("final;")) {
                concat = UploadState.Concat.FINAL;
                parts = partsOf(value.substring("final;".length()), who);
            } else {
                throw TusError.INVALID_CONCAT.exception();
            }
        }
        long length;
        if (concat == UploadState.Concat.FINAL) {
            length = parts.stream().allMatch(UploadState::isComplete)
                    ? parts.stream().mapToLong(UploadState::length).sum() : UploadState.DEFERRED;
        } else if (req.getHeader("Upload-Length") == null && "1".equals(req.getHeader("Upload-Defer-Length"))) {
            length = UploadState.DEFERRED;
        } else if (req.getHeader("Upload-Defer-Length") != null && req.getHeader("Upload-Length") == null) {
            throw TusError.INVALID_LENGTH.exception("Upload-Defer-Length must be 1.");
        } else {
            length = parseNonNegative(req.getHeader("Upload-Length"), TusError.INVALID_LENGTH);
        }
        if (length > limits.maxSize()) {
            throw TusError.MAX_SIZE_EXCEEDED.exception("Upload-Length " + length + " exceeds the maximum of " + limits.maxSize() + " bytes.");
        }
        String rawMetadata = req.getHeader("Upload-Metadata");
        ClipMetadata metadata = UploadMetadata.parse(rawMetadata, limits.maxMetadataBytes());
        boolean withBody = hasBody(req);
        if (withBody && !isOffsetStream(req)) {
            throw TusError.INVALID_CONTENT_TYPE.exception();
        }
        if (withBody && concat == UploadState.Concat.FINAL) {
            throw TusError.MODIFY_FINAL.exception();
        }
        UploadStore.ChunkCheck checksum = chunkCheck(req);
        String deviceId = who.isDevice() ? who.deviceId() : "owner";
        Optional<UploadState> existing = byClientClipId(who.owner(), deviceId, metadata.clientClipId());
        if (existing.isPresent()) {
            return existingUpload(rc, existing.get());
        }
        Optional<String> busy = admission.refusal();
        if (busy.isPresent()) {
            rc.response().putHeader("Retry-After", Integer.toString(admission.retryAfterSeconds()));
            throw TusError.SERVER_BUSY.exception(TusError.SERVER_BUSY.message() + " (" + busy.get() + ")");
        }
        long unfinished = store.all().stream().filter(u -> u.owner().equals(who.owner()) && u.deviceId().equals(deviceId)
                && u.status() == ClipStatus.UPLOADING && !u.isComplete()).count();
        if (unfinished >= limits.maxUploadsPerDevice()) {
            throw TusError.TOO_MANY_UPLOADS.exception("This device has " + unfinished + " unfinished uploads, the most allowed;"
                    + " finish or delete one first.");
        }
        Instant now = Instant.now();
        UploadState fresh = new UploadState(newId(), who.owner(), deviceId, length, 0, metadata, rawMetadata,
                ClipStatus.UPLOADING, now, now, null, concat, parts.stream().map(UploadState::id).toList(), null);
        return store.create(fresh).compose(upload -> {
            created.increment();
            indexClientClipId(upload);
            LOG.info("event=upload_created upload={} owner={} device={} length={} kind={} concat={}",
                    upload.id(), upload.owner(), upload.deviceId(), upload.length(), metadata.kind().wireName(),
                    upload.concat().name().toLowerCase(Locale.ROOT));
            if (upload.isClip()) {
                listener.onProgress(upload);
            }
            HttpServerResponse res = rc.response().putHeader(HttpHeaders.LOCATION, location(req, upload.id()));
            if (upload.concat() == UploadState.Concat.FINAL) {
                return finishConcatenationIfReady(upload).map(v -> {
                    uploadHeaders(res, store.get(upload.id()));
                    res.setStatusCode(201).end();
                    return (Void) null;
                });
            }
            if (!withBody && !upload.isComplete()) {
                uploadHeaders(res, upload);
                res.setStatusCode(201).end();
                return Future.succeededFuture();
            }
            return locks.acquire(upload.id(), req).compose(lock -> receive(rc, store.get(upload.id()), 201, checksum)
                    .andThen(ar -> lock.release()));
        });
    }

    /** A retried POST for a clip the server already has: its upload back, never a second clip. */
    private Future<Void> existingUpload(RoutingContext rc, UploadState upload) {
        HttpServerResponse res = rc.response()
                .putHeader(HttpHeaders.LOCATION, location(rc.request(), upload.id()))
                .putHeader("Upload-Offset", Long.toString(upload.offset()))
                .putHeader("Convoy-Clip-Id", upload.id());
        uploadHeaders(res, upload);
        LOG.info("event=upload_reclaimed upload={} client_clip_id={} offset={}", upload.id(),
                upload.metadata().clientClipId(), upload.offset());
        res.setStatusCode(200).end();
        drainOrClose(rc.request());
        return Future.succeededFuture();
    }

    private Future<Void> head(RoutingContext rc, Principal who) {
        UploadState upload = owned(rc, who);
        HttpServerResponse res = rc.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        // A final concatenation has no offset of its own until its parts are joined.
        if (upload.concat() != UploadState.Concat.FINAL || upload.isComplete()) {
            res.putHeader("Upload-Offset", Long.toString(upload.offset()));
        }
        if (upload.rawMetadata() != null) {
            res.putHeader("Upload-Metadata", upload.rawMetadata());
        }
        uploadHeaders(res, upload);
        res.setStatusCode(200).end();
        return Future.succeededFuture();
    }

    private Future<Void> patch(RoutingContext rc, Principal who) {
        HttpServerRequest req = rc.request();
        if (!isOffsetStream(req)) {
            throw TusError.INVALID_CONTENT_TYPE.exception();
        }
        long clientOffset = parseNonNegative(req.getHeader("Upload-Offset"), TusError.INVALID_OFFSET);
        UploadStore.ChunkCheck checksum = chunkCheck(req);
        UploadState found = owned(rc, who);
        if (found.concat() == UploadState.Concat.FINAL) {
            throw TusError.MODIFY_FINAL.exception();
        }
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
                if (upload.status() != ClipStatus.UPLOADING && hasBody(req)) {
                    work = emptyOrFinished(rc, upload);
                    return work.andThen(ar -> lock.release());
                }
                upload = declareLength(req, upload);
                long declared = contentLength(req);
                if (!upload.isLengthDeferred() && declared > upload.length() - upload.offset()) {
                    throw TusError.SIZE_EXCEEDED.exception("The chunk of " + declared + " bytes goes past Upload-Length "
                            + upload.length() + " (offset " + upload.offset() + "); nothing was written.");
                }
                work = receive(rc, upload, 204, checksum);
            } catch (TusException e) {
                work = Future.failedFuture(e);
            }
            return work.andThen(ar -> lock.release());
        });
    }

    /**
     * A chunked PATCH at the end of a finished upload. tus-java-client sends one, empty, when a
     * file is an exact multiple of its request size: an empty body changes nothing and gets 204;
     * a byte of data gets 403.
     */
    private Future<Void> emptyOrFinished(RoutingContext rc, UploadState upload) {
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
        req.resume();
        return done.future();
    }

    /** creation-defer-length: the first PATCH that knows the length declares it. */
    private UploadState declareLength(HttpServerRequest req, UploadState upload) {
        String header = req.getHeader("Upload-Length");
        if (header == null) {
            return upload;
        }
        long length = parseNonNegative(header, TusError.INVALID_LENGTH);
        if (!upload.isLengthDeferred()) {
            if (length != upload.length()) {
                throw TusError.INVALID_LENGTH.exception("Upload-Length is already " + upload.length() + " and cannot change.");
            }
            return upload;
        }
        if (length > limits.maxSize()) {
            throw TusError.MAX_SIZE_EXCEEDED.exception("Upload-Length " + length + " exceeds the maximum of " + limits.maxSize() + " bytes.");
        }
        if (length < upload.offset()) {
            throw TusError.INVALID_LENGTH.exception("Upload-Length " + length + " is less than the " + upload.offset() + " bytes already received.");
        }
        return upload.withLength(length);
    }

    /**
     * Streams the request body into the upload, records the new offset durably, then answers.
     * {@code upload} may carry a length this request just declared, not yet saved.
     */
    private Future<Void> receive(RoutingContext rc, UploadState upload, int okStatus, UploadStore.ChunkCheck checksum) {
        HttpServerRequest req = rc.request();
        if (upload.status() != ClipStatus.UPLOADING) {
            rc.response().putHeader("Upload-Offset", Long.toString(upload.offset())).setStatusCode(okStatus).end();
            return Future.succeededFuture();
        }
        long room = upload.isLengthDeferred() ? limits.maxSize() - upload.offset() : upload.length() - upload.offset();
        boolean wasInterrupted = interrupted.remove(upload.id());
        return store.append(upload, req, room, bytes::increment, checksum).compose(appended -> {
            if (appended.bytes() > 0 && wasInterrupted) {
                resumes.increment();
            }
            UploadState moved = upload.withOffset(upload.offset() + appended.bytes());
            boolean lengthDeclared = upload.length() != store.get(upload.id()).length();
            boolean changed = appended.bytes() > 0 || lengthDeclared || moved.isComplete();
            Future<UploadState> saved = changed ? complete(moved) : Future.succeededFuture(moved);
            return saved.compose(state -> {
                if (appended.interruption() != null) {
                    interrupted.add(state.id());
                    LOG.info("event=upload_interrupted upload={} offset={} received={} stalled={} cause=\"{}\"",
                            state.id(), state.offset(), appended.bytes(), appended.stalled(), appended.interruption().getMessage());
                }
                if (appended.checksumMismatch()) {
                    throw TusError.CHECKSUM_MISMATCH.exception();
                }
                if (appended.overflow()) {
                    throw TusError.SIZE_EXCEEDED.exception();
                }
                if (appended.stalled()) {
                    // Clients retry 5xx only: a stalled body gets a 500, its received bytes kept.
                    throw TusError.READ_TIMEOUT.exception("The request body stalled past the idle timeout; the "
                            + state.offset() + " bytes received are kept, resume from there.");
                }
                HttpServerResponse res = rc.response();
                if (!res.ended() && !res.closed()) {
                    res.putHeader("Upload-Offset", Long.toString(state.offset()));
                    uploadHeaders(res, state);
                    res.setStatusCode(okStatus).end();
                }
                return Future.<Void>succeededFuture();
            });
        });
    }

    /** Saves a moved upload; when it is now complete, records its SHA-256 and hands it down the path. */
    private Future<UploadState> complete(UploadState moved) {
        if (!moved.isComplete()) {
            return store.save(moved).onSuccess(state -> {
                if (state.isClip()) {
                    listener.onProgress(state);
                }
            });
        }
        return store.sha256(moved).compose(sha -> {
            UploadState done = moved.withSha256(sha);
            if (done.isClip()) {
                done = done.withStatus(ClipStatus.PROCESSING, null);
            }
            return store.save(done);
        }).compose(state -> {
            completed.increment();
            LOG.info("event=upload_completed upload={} bytes={} sha256={}", state.id(), state.length(), state.sha256());
            if (state.isClip()) {
                listener.onCompleted(state);
                return Future.succeededFuture(state);
            }
            return finishConcatenationsWaitingOn(state).map(state);
        });
    }

    /**
     * Final concatenations whose parts all completed but which were never joined (the process
     * stopped in between) are joined now; called once at start.
     */
    public Future<Void> resumeConcatenations() {
        List<Future<Void>> joins = new ArrayList<>();
        for (UploadState upload : store.all()) {
            if (upload.concat() == UploadState.Concat.FINAL && !upload.isComplete() && upload.status() == ClipStatus.UPLOADING) {
                joins.add(finishConcatenationIfReady(upload));
            }
        }
        return Future.all(joins).mapEmpty();
    }

    /** When a partial upload completes, any final concatenation whose parts are now all complete is joined. */
    private Future<Void> finishConcatenationsWaitingOn(UploadState part) {
        List<Future<Void>> joins = new ArrayList<>();
        for (UploadState upload : store.all()) {
            if (upload.concat() == UploadState.Concat.FINAL && !upload.isComplete() && upload.parts().contains(part.id())) {
                joins.add(finishConcatenationIfReady(upload));
            }
        }
        return Future.all(joins).mapEmpty();
    }

    private Future<Void> finishConcatenationIfReady(UploadState finalUpload) {
        List<UploadState> parts = finalUpload.parts().stream().map(store::get).toList();
        if (parts.stream().anyMatch(p -> p == null || !p.isComplete()) || !(store instanceof UploadStore.Concatenator joiner)) {
            return Future.succeededFuture();
        }
        long total = parts.stream().mapToLong(UploadState::length).sum();
        if (total > limits.maxSize()) {
            return store.save(finalUpload.withStatus(ClipStatus.FAILED, "too_large")).mapEmpty();
        }
        return joiner.concatenate(finalUpload, parts).compose(sha -> {
            UploadState joined = finalUpload.withLength(total).withOffset(total).withSha256(sha)
                    .withStatus(ClipStatus.PROCESSING, null);
            return store.save(joined);
        }).map(joined -> {
            completed.increment();
            LOG.info("event=concatenation_finished upload={} parts={} bytes={} sha256={}", joined.id(), parts.size(),
                    joined.length(), joined.sha256());
            listener.onCompleted(joined);
            return (Void) null;
        });
    }

    /**
     * Forgets an upload of {@code owner} for good, because its clip is being deleted: a request
     * still sending to it is cut off, its spool and state are deleted and its {@code clientClipId}
     * is free again. Nothing to do when there is no such upload here.
     */
    public Future<Void> removeForOwner(String owner, String id, HttpServerRequest req) {
        UploadState found = store.get(id);
        if (found == null || !found.owner().equals(owner) || !(store instanceof UploadStore.Terminator terminator)) {
            return Future.succeededFuture();
        }
        return locks.acquire(id, req).compose(lock -> {
            UploadState upload = store.get(id);
            if (upload == null) {
                lock.release();
                return Future.<Void>succeededFuture();
            }
            interrupted.remove(id);
            forgetClientClipId(upload);
            return terminator.terminate(id).onSuccess(v -> {
                LOG.info("event=upload_removed upload={} status={}", id, upload.status().wireName());
                listener.onTerminated(upload);
            }).andThen(ar -> lock.release());
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
                interrupted.remove(upload.id());
                forgetClientClipId(upload);
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
        String id = rc.pathParam("id");
        UploadState upload = store.get(id);
        if (upload == null || !upload.owner().equals(who.owner())) {
            if (who.owner().equals(expired.get(id))) {
                throw TusError.UPLOAD_EXPIRED.exception();
            }
            throw TusError.UPLOAD_NOT_FOUND.exception();
        }
        if (upload.status() == ClipStatus.UPLOADING && !upload.isComplete() && expiresAt(upload).isBefore(Instant.now())) {
            throw TusError.UPLOAD_EXPIRED.exception();
        }
        return upload;
    }

    private List<UploadState> partsOf(String urls, Principal who) {
        List<UploadState> parts = new ArrayList<>();
        for (String url : urls.trim().split("\\s+")) {
            if (url.isEmpty()) {
                continue;
            }
            String id = url.substring(url.lastIndexOf('/') + 1);
            UploadState part = store.get(id);
            if (part == null || !part.owner().equals(who.owner())) {
                throw TusError.INVALID_CONCAT.exception("Upload-Concat names " + url + ", which is not one of your uploads.");
            }
            if (part.concat() != UploadState.Concat.PARTIAL) {
                throw TusError.INVALID_CONCAT.exception("Upload-Concat names " + url + ", which was not created as partial.");
            }
            parts.add(part);
        }
        if (parts.isEmpty()) {
            throw TusError.INVALID_CONCAT.exception();
        }
        return parts;
    }

    private void uploadHeaders(HttpServerResponse res, UploadState upload) {
        if (upload.isLengthDeferred()) {
            res.putHeader("Upload-Defer-Length", "1");
        } else {
            res.putHeader("Upload-Length", Long.toString(upload.length()));
        }
        if (upload.concat() == UploadState.Concat.PARTIAL) {
            res.putHeader("Upload-Concat", "partial");
        } else if (upload.concat() == UploadState.Concat.FINAL) {
            res.putHeader("Upload-Concat", "final;" + String.join(" ", upload.parts().stream().map(p -> "/files/" + p).toList()));
        }
        if (upload.status() == ClipStatus.UPLOADING && !upload.isComplete() && store instanceof UploadStore.Terminator) {
            res.putHeader("Upload-Expires", HTTP_DATE.format(expiresAt(upload)));
        }
    }

    private Instant expiresAt(UploadState upload) {
        return upload.updatedAt().plus(limits.expiry());
    }

    /** Keeps request trailers on a new connection, for checksum-trailer. */
    public void onConnection(HttpConnection connection) {
        RequestTrailers.capture(connection);
    }

    /**
     * The check for a request's chunk: an {@code Upload-Checksum} header, a trailer announced
     * with {@code Trailer: Upload-Checksum} (checksum-trailer), or none.
     */
    private UploadStore.ChunkCheck chunkCheck(HttpServerRequest req) {
        UploadStore.ChunkChecksum header = parseChecksum(req.getHeader("Upload-Checksum"));
        if (!announcesChecksumTrailer(req)) {
            return header;
        }
        if (header != null) {
            throw TusError.INVALID_CHECKSUM.exception("Send Upload-Checksum either as a header or as a trailer, not both.");
        }
        if (!"chunked".equalsIgnoreCase(req.getHeader("Transfer-Encoding")) || !RequestTrailers.captured(req)) {
            throw TusError.INVALID_CHECKSUM.exception("An Upload-Checksum trailer needs an HTTP/1.1 body sent with "
                    + "'Transfer-Encoding: chunked'; send the checksum as a header instead.");
        }
        Set<String> algorithms = store.checksumAlgorithms();
        return new UploadStore.ChunkCheck() {
            @Override
            public Set<String> algorithms() {
                return algorithms;
            }

            @Override
            public UploadStore.ChunkChecksum resolve() {
                String trailer = RequestTrailers.get(req, "Upload-Checksum");
                if (trailer == null) {
                    throw TusError.CHECKSUM_TRAILER_MISSING.exception();
                }
                return parseChecksum(trailer);
            }
        };
    }

    private static boolean announcesChecksumTrailer(HttpServerRequest req) {
        for (String announced : req.headers().getAll("Trailer")) {
            for (String name : announced.split(",")) {
                if (name.trim().equalsIgnoreCase("Upload-Checksum")) {
                    return true;
                }
            }
        }
        return false;
    }

    private UploadStore.ChunkChecksum parseChecksum(String header) {
        if (header == null) {
            return null;
        }
        String[] parts = header.trim().split(" ");
        if (parts.length != 2 || !store.checksumAlgorithms().contains(parts[0].toLowerCase(Locale.ROOT))) {
            throw TusError.INVALID_CHECKSUM.exception("Upload-Checksum '" + header + "' is not '<algorithm> <base64>' with one of "
                    + checksumAlgorithms + ".");
        }
        try {
            return new UploadStore.ChunkChecksum(parts[0].toLowerCase(Locale.ROOT), Base64.getDecoder().decode(parts[1]));
        } catch (IllegalArgumentException e) {
            throw TusError.INVALID_CHECKSUM.exception("The digest in Upload-Checksum is not valid base64.");
        }
    }

    private Optional<UploadState> byClientClipId(String owner, String device, String clientClipId) {
        if (clientClipId == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(byClientClipId.get(clipKey(owner, device, clientClipId))).map(store::get);
    }

    private void indexClientClipId(UploadState upload) {
        if (upload.metadata().clientClipId() != null && upload.isClip()) {
            byClientClipId.put(clipKey(upload.owner(), upload.deviceId(), upload.metadata().clientClipId()), upload.id());
        }
    }

    private void forgetClientClipId(UploadState upload) {
        if (upload.metadata().clientClipId() != null) {
            byClientClipId.remove(clipKey(upload.owner(), upload.deviceId(), upload.metadata().clientClipId()), upload.id());
        }
    }

    private static String clipKey(String owner, String device, String clientClipId) {
        return owner + '\u0000' + device + '\u0000' + clientClipId;
    }

    /** Most of a refused request's body read (and dropped) before the answer; past it the connection is closed. */
    private static final long SWALLOW_LIMIT = 1 << 20;

    private void fail(RoutingContext rc, Throwable cause) {
        TusError error;
        String message;
        if (cause instanceof TusException te) {
            error = te.error();
            message = te.getMessage();
        } else if (cause instanceof AuthException) {
            error = TusError.UNAUTHORIZED;
            message = error.message();
            LOG.info("event=auth_refused path={} reason=\"{}\"", rc.request().path(), cause.getMessage());
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
        HttpServerRequest req = rc.request();
        if (!req.isEnded() && error != TusError.READ_TIMEOUT) {
            // Answer once the client has sent its body: HttpURLConnection (tus-java-client) with
            // 'Expect: 100-continue' loses a final answer that arrives before it has finished sending.
            swallowBody(rc, () -> answer(rc, error, message));
            return;
        }
        answer(rc, error, message);
    }

    /** Reads and drops the rest of a refused request's body (at most 1 MiB or 5 s, then the connection is closed). */
    private static void swallowBody(RoutingContext rc, Runnable then) {
        HttpServerRequest req = rc.request();
        boolean[] answered = {false};
        long[] bytes = {0};
        long[] timer = {-1};
        Runnable once = () -> {
            if (!answered[0]) {
                answered[0] = true;
                rc.vertx().cancelTimer(timer[0]);
                then.run();
            }
        };
        Runnable giveUp = () -> {
            rc.response().putHeader(HttpHeaders.CONNECTION, "close");
            once.run();
        };
        timer[0] = rc.vertx().setTimer(5_000, id -> giveUp.run());
        req.handler(buf -> {
            bytes[0] += buf.length();
            if (bytes[0] > SWALLOW_LIMIT) {
                giveUp.run();
            }
        });
        req.endHandler(v -> once.run());
        req.exceptionHandler(e -> once.run());
        req.resume();
    }

    private void answer(RoutingContext rc, TusError error, String message) {
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
        if (error == TusError.READ_TIMEOUT) {
            res.putHeader(HttpHeaders.CONNECTION, "close");
        }
        res.end(error.code() + ": " + message + "\n");
        if (error == TusError.READ_TIMEOUT) {
            rc.request().connection().close();
        } else {
            drainOrClose(rc.request());
        }
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
        return contentLength(req) > 0 || transferEncoding != null && transferEncoding.toLowerCase(Locale.ROOT).contains("chunked");
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
