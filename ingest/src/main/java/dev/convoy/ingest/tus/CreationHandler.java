package dev.convoy.ingest.tus;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /files/}: creation, creation-defer-length, creation-with-upload and the
 * creation side of concatenation. The policy is consulted before anything is created.
 */
final class CreationHandler implements TusEndpoint.Method {

    private static final Logger LOG = LoggerFactory.getLogger(CreationHandler.class);
    private static final SecureRandom IDS = new SecureRandom();

    private final UploadService uploads;
    private final UploadPolicy policy;
    private final int maxMetadataBytes;
    private final Checksums checksums;
    private final PatchHandler writer;
    private final TusResponses responses;

    CreationHandler(UploadService uploads, UploadPolicy policy, int maxMetadataBytes, Checksums checksums,
                    PatchHandler writer, TusResponses responses) {
        this.uploads = uploads;
        this.policy = policy;
        this.maxMetadataBytes = maxMetadataBytes;
        this.checksums = checksums;
        this.writer = writer;
        this.responses = responses;
    }

    @Override
    public Future<Void> handle(RoutingContext rc, Uploader who) {
        HttpServerRequest req = rc.request();
        TusHeaders.ConcatRequest concat = TusHeaders.concat(req.getHeader("Upload-Concat"));
        if (concat.concat() != UploadState.Concat.NONE && !uploads.capabilities().canConcatenate()) {
            throw TusError.INVALID_CONCAT.exception("This server does not join uploads; create a plain upload.");
        }
        List<UploadState> parts = uploads.partsOf(concat, who);
        long length;
        if (concat.concat() == UploadState.Concat.FINAL) {
            length = parts.stream().allMatch(UploadState::isComplete)
                    ? parts.stream().mapToLong(UploadState::length).sum() : UploadState.DEFERRED;
        } else {
            length = TusHeaders.creationLength(req.getHeader("Upload-Length"), req.getHeader("Upload-Defer-Length"));
        }
        if (length > uploads.maxSize()) {
            throw TusError.MAX_SIZE_EXCEEDED.exception("Upload-Length " + length + " exceeds the maximum of "
                    + uploads.maxSize() + " bytes.");
        }
        String rawMetadata = req.getHeader("Upload-Metadata");
        Map<String, String> metadata = TusHeaders.metadata(rawMetadata, maxMetadataBytes);
        boolean withBody = TusHeaders.hasBody(req.getHeader(HttpHeaders.CONTENT_LENGTH),
                req.getHeader(HttpHeaders.TRANSFER_ENCODING));
        if (withBody && !TusHeaders.isOffsetStream(req.getHeader(HttpHeaders.CONTENT_TYPE))) {
            throw TusError.INVALID_CONTENT_TYPE.exception();
        }
        if (withBody && concat.concat() == UploadState.Concat.FINAL) {
            throw TusError.MODIFY_FINAL.exception();
        }
        UploadStore.ChunkCheck checksum = checksums.of(req);
        UploadState retried = uploads.findByKey(uploads.keyOf(who, metadata, concat.concat()));
        Optional<UploadState> existing = policy.beforeCreate(
                new UploadPolicy.Creation(who, length, metadata, rawMetadata, concat.concat(), retried));
        if (existing.isPresent()) {
            return reclaimed(rc, existing.get());
        }
        UploadState fresh = UploadState.created(newId(), who, length, rawMetadata, concat.concat(),
                parts.stream().map(UploadState::id).toList());
        return uploads.create(fresh).compose(upload -> {
            LOG.info("event=upload_created upload={} owner={} device={} length={} concat={}", upload.id(), upload.owner(),
                    upload.deviceId(), upload.length(), upload.concat().name().toLowerCase(Locale.ROOT));
            HttpServerResponse res = rc.response().putHeader(HttpHeaders.LOCATION, TusResponses.location(req, uploads.urlName(upload.id())));
            if (upload.concat() == UploadState.Concat.FINAL) {
                return uploads.joinIfReady(upload).map(v -> {
                    responses.uploadHeaders(res, uploads.find(upload.id()));
                    res.setStatusCode(201).end();
                    return null;
                });
            }
            if (!withBody && !upload.isComplete()) {
                responses.uploadHeaders(res, upload);
                res.setStatusCode(201).end();
                return Future.succeededFuture();
            }
            policy.beforeWrite(who, upload);
            return uploads.locked(upload.id(), req, () -> writer.receive(rc, uploads.find(upload.id()), 201, checksum));
        });
    }

    /** A retried POST for an upload the server already has: that upload back (200), never a second one. */
    private Future<Void> reclaimed(RoutingContext rc, UploadState upload) {
        HttpServerResponse res = rc.response()
                .putHeader(HttpHeaders.LOCATION, TusResponses.location(rc.request(), uploads.urlName(upload.id())))
                .putHeader("Upload-Offset", Long.toString(upload.offset()));
        policy.reclaimedHeaders(upload).forEach(res::putHeader);
        responses.uploadHeaders(res, upload);
        LOG.info("event=upload_reclaimed upload={} offset={}", upload.id(), upload.offset());
        res.setStatusCode(200).end();
        BodyDrainer.afterAnswer(rc.request());
        return Future.succeededFuture();
    }

    static String newId() {
        byte[] b = new byte[16];
        IDS.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
