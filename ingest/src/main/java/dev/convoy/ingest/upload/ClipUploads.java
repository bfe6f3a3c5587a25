package dev.convoy.ingest.upload;

import dev.convoy.ingest.auth.AuthException;
import dev.convoy.ingest.auth.DeviceTokens;
import dev.convoy.ingest.clip.ArrivingClip;
import dev.convoy.ingest.clip.ClipMetadata;
import dev.convoy.ingest.clip.ClipOutcome;
import dev.convoy.ingest.clip.ClipRecord;
import dev.convoy.ingest.clip.ClipStatus;
import dev.convoy.ingest.clip.CompletedUpload;
import dev.convoy.ingest.tus.TusEndpoint;
import dev.convoy.ingest.tus.TusError;
import dev.convoy.ingest.tus.UploadEvents;
import dev.convoy.ingest.tus.UploadPolicy;
import dev.convoy.ingest.tus.UploadService;
import dev.convoy.ingest.tus.UploadState;
import dev.convoy.ingest.tus.Uploader;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads as clips: Convoy's rules for the tus endpoint (who may upload, a retried creation
 * finds its clip by the camera's {@code clientClipId}, a device's share of unfinished
 * uploads, admission under load) and the clip's status on top of the upload's (uploading,
 * processing until its manifest is written, then ready or failed).
 */
public final class ClipUploads implements UploadPolicy, UploadEvents {

    private static final Logger LOG = LoggerFactory.getLogger(ClipUploads.class);
    /** The device id of uploads made with an owner's own token. */
    private static final String OWNER_DEVICE = "owner";
    /** When to ask again about a forgotten upload whose clip record could not be read. */
    private static final int STATE_RETRY_AFTER_SECONDS = 5;

    private final SpoolStore spool;
    private final DeviceTokens tokens;
    private final Admission admission;
    private final int maxUploadsPerDevice;
    private final long maxOwnerBytesInFlight;
    private final ClipListener listener;
    /** How long a committed upload's state is kept after its last byte, for its client's late retries. */
    private final Duration keepSettled;
    private final TusEndpoint endpoint;
    /** The node whose spool this is, named in upload URLs; empty for a single node. */
    private final String node;
    private final Map<String, ClipMetadata> metadata = new ConcurrentHashMap<>();
    /** Clips handed down the path whose outcome is not yet saved (waiting, transcoding or committing). */
    private final AtomicInteger clipsInProgress = new AtomicInteger();

    private ClipUploads(SpoolStore spool, DeviceTokens tokens, Admission admission, UploadLimits limits,
                        ClipListener listener, String node, MeterRegistry registry) {
        this.spool = spool;
        this.node = node;
        this.tokens = tokens;
        this.admission = admission;
        this.maxUploadsPerDevice = limits.maxUploadsPerDevice();
        this.maxOwnerBytesInFlight = limits.maxOwnerBytesInFlight();
        this.listener = listener;
        this.keepSettled = limits.expiry();
        this.endpoint = TusEndpoint.create(spool, this, this,
                new TusEndpoint.Limits(limits.maxSize(), limits.maxMetadataBytes(), limits.expiry()), registry);
    }

    /** Clip uploads over {@code spool}, indexing the uploads it already holds. */
    public static ClipUploads open(SpoolStore spool, DeviceTokens tokens, Admission admission, UploadLimits limits,
                                   ClipListener listener, String node, MeterRegistry registry) {
        return new ClipUploads(spool, tokens, admission, limits, listener, node, registry);
    }

    /** With several nodes an upload's URL names the node that holds it: {@code /files/{node}/{id}}. */
    @Override
    public String urlName(String id) {
        return node.isEmpty() ? id : node + "/" + id;
    }

    public TusEndpoint endpoint() {
        return endpoint;
    }

    public UploadService service() {
        return endpoint.uploads();
    }

    @Override
    public Future<Uploader> authenticate(String authorization) {
        return tokens.authenticate(authorization)
                .map(who -> new Uploader(who.owner(), who.isDevice() ? who.deviceId() : OWNER_DEVICE))
                .recover(err -> {
                    if (err instanceof AuthException) {
                        LOG.info("event=auth_refused endpoint=files reason=\"{}\"", err.getMessage());
                        return Future.failedFuture(TusError.UNAUTHORIZED.exception());
                    }
                    return Future.failedFuture(err);
                });
    }

    @Override
    public Optional<UploadState> beforeCreate(Creation request) {
        ClipMetadata clip = UploadMetadata.parse(request.metadata(), Instant.now());
        Uploader who = request.who();
        UploadState existing = request.existing();
        if (existing != null) {
            // A retry of a clip this server already has: answered even when it is busy.
            LOG.info("event=clip_upload_reclaimed upload={} client_clip_id={}", existing.id(), clip.clientClipId());
            return Optional.of(existing);
        }
        // One pass over the uploads not yet settled here (open ones, and complete parts no final has
        // joined; never the committed history): what they may still write (spoken for on disk), the
        // device's unfinished ones, and what the owner has in flight.
        long promised = 0;
        long unfinished = 0;
        long ownerInFlight = 0;
        for (UploadState u : spool.unsettled()) {
            boolean owners = u.owner().equals(who.owner());
            if (!u.isComplete()) {
                promised += stillToCome(u);
                ownerInFlight += owners ? stillToCome(u) : 0;
            }
            if (owners && u.deviceId().equals(who.device()) && service().canExpire(u) && spool.outcome(u.id()) == null) {
                unfinished++;
            }
        }
        Optional<String> busy = admission.refusal(promised + Math.max(0, request.length()));
        if (busy.isPresent()) {
            throw TusError.SERVER_BUSY.retryAfter(admission.retryAfterSeconds(),
                    TusError.SERVER_BUSY.message() + " (" + busy.get() + ")");
        }
        if (unfinished >= maxUploadsPerDevice) {
            throw TusError.TOO_MANY_UPLOADS.exception("This device has " + unfinished + " unfinished uploads, the most allowed;"
                    + " finish or delete one first.");
        }
        if (ownerInFlight + Math.max(0, request.length()) > maxOwnerBytesInFlight) {
            throw TusError.OWNER_BYTES_IN_FLIGHT.exception("This account's unfinished uploads may still send " + ownerInFlight
                    + " bytes; with " + request.length() + " more it would pass the " + maxOwnerBytesInFlight
                    + " allowed. Finish or delete some first.");
        }
        return Optional.empty();
    }

    /** A clip is found again by the camera's own clip id, per owner and device; partial uploads are not clips. */
    @Override
    public String idempotencyKey(Uploader who, Map<String, String> metadata, UploadState.Concat concat) {
        String clientClipId = metadata.get("clientClipId");
        return clientClipId == null || clientClipId.isEmpty() || concat == UploadState.Concat.PARTIAL ? null
                : who.owner() + '\u0000' + who.device() + '\u0000' + clientClipId;
    }

    /** A committed clip's upload, forgotten here ({@link #forgetSettled}), is as long as its original. */
    @Override
    public Future<Long> settledLength(Uploader who, String id) {
        return listener.committedSize(who.owner(), id).recover(err -> {
            if (err instanceof ClipListener.Unavailable) {
                // Never a 404 for an upload that may well be there: that would start the camera over.
                LOG.warn("event=settled_lookup_unavailable upload={} cause=\"{}\"", id, err.getCause());
                return Future.failedFuture(TusError.STATE_UNAVAILABLE.retryAfter(STATE_RETRY_AFTER_SECONDS,
                        TusError.STATE_UNAVAILABLE.message()));
            }
            LOG.warn("event=settled_lookup_failed upload={} cause=\"{}\"", id, err.toString());
            return Future.succeededFuture(null);
        });
    }

    /**
     * Forgets the uploads of committed clips whose last byte came longer ago than the upload
     * expiry: the manifest in object storage is their record now. Until then a camera's late
     * retries (a HEAD, a repeated last PATCH, a creation with the same {@code clientClipId}) are
     * answered from the upload as before; after it HEAD and PATCH answer from the catalog (see
     * {@link #settledLength}). Completes with how many were forgotten.
     */
    public Future<Integer> forgetSettled() {
        Instant before = Instant.now().minus(keepSettled);
        List<String> settled = spool.all().stream()
                .filter(u -> u.isComplete() && !u.isPartial() && spool.outcome(u.id()) != null && u.updatedAt().isBefore(before))
                .map(UploadState::id).toList();
        // One after another: the spool's I/O threads also serve the uploads in progress, which must not wait
        // behind a backlog of deletions (after an upgrade, the whole history at once).
        Future<Void> forgetting = Future.succeededFuture();
        for (String id : settled) {
            forgetting = forgetting.compose(v -> service().forget(id));
        }
        return forgetting.map(v -> {
            if (!settled.isEmpty()) {
                LOG.info("event=settled_uploads_forgotten count={} kept={}", settled.size(), spool.all().size());
            }
            return settled.size();
        });
    }

    @Override
    public void beforeWrite(Uploader who, UploadState upload) {
        if (!admission.acceptsWrites()) {
            throw TusError.SERVER_BUSY.retryAfter(admission.retryAfterSeconds(),
                    "This node is shutting down and takes no more bytes; retry after the Retry-After seconds.");
        }
        if (admission.belowFloor()) {
            throw TusError.INSUFFICIENT_STORAGE.retryAfter(admission.retryAfterSeconds(), TusError.INSUFFICIENT_STORAGE.message());
        }
    }

    /** Bytes an open upload may still send: the rest of its declared length (none known while deferred). */
    private static long stillToCome(UploadState upload) {
        return upload.isLengthDeferred() ? 0 : upload.length() - upload.offset();
    }

    @Override
    public Map<String, String> reclaimedHeaders(UploadState upload) {
        return Map.of("Convoy-Clip-Id", upload.id());
    }

    @Override
    public void progressed(UploadState upload) {
        if (!upload.isPartial()) {
            listener.tracked(record(upload));
            if (!upload.isComplete() && upload.offset() > 0) {
                listener.arriving(new ArrivingClip(upload.id(), upload.owner(), clip(upload), spool.spool(upload.id()),
                        upload.offset(), upload.isLengthDeferred() ? -1 : upload.length(), upload.createdAt()));
            }
        }
    }

    /**
     * Takes back the clips waiting for a transcode or being transcoded (a stopping node hands
     * them on), commits under way finishing first; their uploads stay here, complete and not
     * committed, until handed off. Completes with their ids.
     */
    public Future<List<String>> stopTranscoding(Duration commitsWait) {
        return listener.stopTranscoding(commitsWait);
    }

    /** Clips handed down the path whose outcome is not yet saved: waiting, transcoding or committing. */
    public int clipsInProgress() {
        return clipsInProgress.get();
    }

    @Override
    public void completed(UploadState upload) {
        listener.tracked(record(upload));
        clipsInProgress.incrementAndGet();
        // Started inside a future, so that whatever happens (even a throw) the count comes down again.
        Future.succeededFuture().compose(v -> listener.completed(new CompletedUpload(upload.id(), upload.owner(), upload.deviceId(), clip(upload),
                        spool.spool(upload.id()), upload.length(), upload.createdAt(), upload.updatedAt(), upload.sha256())))
                .compose(outcome -> spool.saveOutcome(upload.id(), outcome))
                // The spool goes only once the manifest is written.
                .compose(v -> spool.deleteSpool(upload.id()))
                .onSuccess(v -> {
                    UploadState state = spool.get(upload.id());
                    if (state != null) {
                        listener.tracked(record(state));
                    }
                })
                .onFailure(err -> {
                    if (err instanceof ClipListener.Withdrawn) {
                        LOG.info("event=clip_withdrawn upload={}", upload.id());
                    } else {
                        LOG.error("event=clip_commit_failed upload={} cause=\"{}\"", upload.id(), err.toString(), err);
                    }
                })
                .onComplete(ar -> clipsInProgress.decrementAndGet());
    }

    @Override
    public void refused(UploadState upload, String reason) {
        if (spool.outcome(upload.id()) == null) {
            spool.saveOutcome(upload.id(), new ClipOutcome(ClipStatus.FAILED, reason))
                    .onSuccess(v -> listener.tracked(record(upload)));
        }
    }

    @Override
    public void removed(UploadState upload) {
        metadata.remove(upload.id());
        listener.removed(upload.id());
    }

    /** Forgets the upload of a clip being deleted (by its owner or by retention); see {@link UploadService#remove}. */
    public Future<Void> remove(String owner, String id, HttpServerRequest request) {
        return service().remove(owner, id, request);
    }

    /**
     * After a restart: clips whose bytes all arrived but that were not committed go down the
     * path again; the others are tracked where they stand.
     */
    public void resume() {
        for (UploadState upload : spool.all()) {
            if (upload.isPartial()) {
                // Pieces of a later concatenation, never clips of their own.
                continue;
            }
            if (status(upload) == ClipStatus.PROCESSING) {
                LOG.info("event=commit_resumed upload={}", upload.id());
                completed(upload);
            } else {
                listener.tracked(record(upload));
            }
        }
    }

    /** The clip's status: its outcome once committed, else processing when every byte is in, else uploading. */
    private ClipStatus status(UploadState upload) {
        ClipOutcome outcome = spool.outcome(upload.id());
        if (outcome != null) {
            return outcome.status();
        }
        return upload.isComplete() ? ClipStatus.PROCESSING : ClipStatus.UPLOADING;
    }

    private ClipRecord record(UploadState upload) {
        return new ClipRecord(upload.id(), upload.owner(), upload.deviceId(), status(upload), clip(upload),
                upload.length(), upload.offset(), upload.createdAt(), upload.updatedAt());
    }

    private ClipMetadata clip(UploadState upload) {
        return metadata.computeIfAbsent(upload.id(), id -> UploadMetadata.parse(upload.rawMetadata(), upload.createdAt()));
    }
}
