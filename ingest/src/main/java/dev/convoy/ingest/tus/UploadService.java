package dev.convoy.ingest.tus;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.streams.ReadStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads under the HTTP layer: the one place that takes an upload's lock, writes its bytes,
 * completes it (SHA-256, then {@link UploadEvents#completed}), joins concatenations, expires
 * abandoned uploads, removes uploads and keeps the index that lets a retried creation find its
 * upload. The protocol handlers, the clip deletion API and the
 * retention sweep all go through it.
 */
public final class UploadService {

    private static final Logger LOG = LoggerFactory.getLogger(UploadService.class);
    /** The least time an expired upload is still told apart from one that never was (410, not 404). */
    private static final Duration EXPIRED_REMEMBERED = Duration.ofDays(1);

    private final UploadStore store;
    private final Capabilities capabilities;
    private final UploadEvents events;
    private final UploadPolicy policy;
    private final long maxSize;
    private final Duration expiry;
    private final TusMetrics metrics;
    private final UploadLocks locks = new UploadLocks();
    private final Concatenation concatenation;
    /**
     * Uploads swept after expiring, with their owner and when, so a late client learns why (410)
     * rather than 404; remembered for a day, or one more expiry period when that is longer.
     */
    private final Map<String, Expired> expired = new ConcurrentHashMap<>();
    /** Uploads whose last request was cut off: their next write is a resume. */
    private final Set<String> interrupted = ConcurrentHashMap.newKeySet();
    /** The policy's idempotency keys to upload ids: a retried creation finds its upload. */
    private final Map<String, String> byKey = new ConcurrentHashMap<>();

    UploadService(UploadStore store, UploadPolicy policy, UploadEvents events, long maxSize, Duration expiry,
                  TusMetrics metrics) {
        this.store = store;
        this.capabilities = Capabilities.of(store);
        this.policy = policy;
        this.events = events;
        this.maxSize = maxSize;
        this.expiry = expiry;
        this.metrics = metrics;
        this.concatenation = new Concatenation(store, capabilities, events, metrics, maxSize);
        for (UploadState upload : store.all()) {
            index(upload);
        }
    }

    private record Expired(String owner, Instant at) {
    }

    /** What one streamed request body did to an upload: its saved state and how the body ended. */
    public record Written(UploadState state, UploadStore.Appended appended) {
    }

    public Capabilities capabilities() {
        return capabilities;
    }

    public long maxSize() {
        return maxSize;
    }

    /** The path of an upload's URL after {@code /files/}, by the policy. */
    public String urlName(String id) {
        return policy.urlName(id);
    }

    /** The upload's durable state, or null. */
    public UploadState find(String id) {
        return store.get(id);
    }

    /**
     * An upload of {@code who}'s owner that was completed, handed on and then forgotten here, as
     * a complete upload ({@link UploadState#settled}), or null when the policy knows of none.
     */
    public Future<UploadState> settled(Uploader who, String id) {
        return policy.settledLength(who, id).map(length -> length == null ? null : UploadState.settled(id, who, length));
    }

    /** Whether the upload's state is kept here (a settled one is not). */
    public boolean isKept(String id) {
        return store.get(id) != null;
    }

    /** The upload created under this idempotency key (see {@link UploadPolicy#idempotencyKey}), or null. */
    public UploadState findByKey(String key) {
        String id = key == null ? null : byKey.get(key);
        return id == null ? null : store.get(id);
    }

    /** Whether {@code owner} had an upload {@code id} that expired and was deleted. */
    public boolean expiredFor(String owner, String id) {
        Expired gone = expired.get(id);
        return gone != null && owner.equals(gone.owner());
    }

    /** An upload expires this long after its last write unless it was completed and handed on. */
    public Instant expiresAt(UploadState upload) {
        return upload.updatedAt().plus(expiry);
    }

    /**
     * Whether the upload can expire: an open one, and a partial one even when complete (until a
     * final upload joins it, it is bytes on disk that nothing will ever use).
     */
    public boolean canExpire(UploadState upload) {
        return !upload.isComplete() || upload.isPartial();
    }

    public boolean isExpired(UploadState upload, Instant now) {
        return canExpire(upload) && expiresAt(upload).isBefore(now);
    }

    /** Runs {@code work} holding the upload's lock; a later request for the same upload cuts {@code request} off. */
    public <T> Future<T> locked(String id, HttpServerRequest request, Supplier<Future<T>> work) {
        return locks.withLock(id, request, work);
    }

    public Future<UploadState> create(UploadState fresh) {
        return store.create(fresh).onSuccess(upload -> {
            index(upload);
            metrics.created.increment();
            events.progressed(upload);
        });
    }

    /**
     * Streams {@code body} into the upload (the caller holds its lock), at most up to its
     * length, and saves the new offset durably; completes it when every byte is there.
     * {@code upload} may carry a length this request just declared, not yet saved.
     * {@code stillAllowed} is asked once the body has arrived and before anything is saved: when
     * it fails (the client was revoked meanwhile), the bytes are neither acknowledged nor
     * counted, and the upload does not complete.
     */
    public Future<Written> write(UploadState upload, ReadStream<Buffer> body, UploadStore.ChunkCheck check,
                                 Supplier<Future<?>> stillAllowed) {
        long room = upload.isLengthDeferred() ? maxSize - upload.offset() : upload.length() - upload.offset();
        boolean wasInterrupted = interrupted.remove(upload.id());
        return store.append(upload, body, room, metrics.bytes::increment, check)
                .compose(appended -> stillAllowed.get().map(appended))
                .compose(appended -> {
            if (appended.bytes() > 0 && wasInterrupted) {
                metrics.resumes.increment();
            }
            UploadState moved = upload.withOffset(upload.offset() + appended.bytes());
            UploadState before = store.get(upload.id());
            boolean lengthDeclared = before != null && upload.length() != before.length();
            boolean changed = appended.bytes() > 0 || lengthDeclared || moved.isComplete();
            Future<UploadState> saved = changed ? save(moved) : Future.succeededFuture(moved);
            return saved.map(state -> {
                if (appended.interruption() != null) {
                    interrupted.add(state.id());
                    LOG.info("event=upload_interrupted upload={} offset={} received={} stalled={} cause=\"{}\"",
                            state.id(), state.offset(), appended.bytes(), appended.stalled(),
                            appended.interruption().getMessage());
                }
                return new Written(state, appended);
            });
        });
    }

    /** Saves a moved upload; when it is now complete, records its SHA-256 and hands it on. */
    private Future<UploadState> save(UploadState moved) {
        if (!moved.isComplete()) {
            return store.save(moved).onSuccess(events::progressed);
        }
        return store.sha256(moved).compose(sha -> store.save(moved.withSha256(sha))).compose(state -> {
            metrics.completed.increment();
            LOG.info("event=upload_completed upload={} bytes={} sha256={}", state.id(), state.length(), state.sha256());
            if (!state.isPartial()) {
                events.completed(state);
                return Future.succeededFuture(state);
            }
            return concatenation.joinWaitingOn(state).map(state);
        });
    }

    /**
     * Cuts off every request writing to an upload now (a stopping node at the end of its grace):
     * each keeps what it delivered, its offset saved, and its client resumes later.
     */
    public void cutOffWrites() {
        locks.cutOffAll();
    }

    /**
     * Hands an upload to another node: with its lock held (no request writes to it meanwhile),
     * {@code handOver} puts its state and bytes where the other node finds them, and only then
     * is it forgotten here. If {@code handOver} fails the upload stays as it was.
     */
    public Future<Boolean> handOff(String id, Function<UploadState, Future<Void>> handOver) {
        return locked(id, null, () -> {
            UploadState upload = store.get(id);
            if (upload == null || !capabilities.canTerminate()) {
                return Future.succeededFuture(false);
            }
            return handOver.apply(upload).compose(v -> delete(upload)).map(v -> {
                LOG.info("event=upload_handed_off upload={} offset={} length={}", id, upload.offset(), upload.length());
                return true;
            });
        });
    }

    /**
     * An upload another node handed off is now in the store: it is indexed and reported as
     * if created here, and a complete one goes down the path (or is joined, if it is a part).
     */
    public void adopted(UploadState upload) {
        index(upload);
        if (!upload.isComplete()) {
            events.progressed(upload);
        } else if (!upload.isPartial()) {
            events.completed(upload);
        }
    }

    /** Termination by the upload's client: refused once the upload was completed and handed on. */
    public Future<Void> terminate(String id, HttpServerRequest request) {
        return locked(id, request, () -> {
            UploadState upload = store.get(id);
            if (upload == null || !capabilities.canTerminate()) {
                return Future.failedFuture(TusError.UPLOAD_NOT_FOUND.exception());
            }
            if (upload.isComplete() && !upload.isPartial()) {
                return Future.failedFuture(TusError.UPLOAD_FINISHED.exception());
            }
            return delete(upload).onSuccess(v -> {
                metrics.terminated.increment();
                LOG.info("event=upload_terminated upload={}", id);
            });
        });
    }

    /**
     * Forgets an upload of {@code owner} for good, whatever its state (its clip is being
     * deleted): a request still sending to it is cut off, its bytes and state are deleted.
     * Nothing to do when there is no such upload here.
     *
     * @param request the deleting request, or null for server-side work
     */
    public Future<Void> remove(String owner, String id, HttpServerRequest request) {
        UploadState found = store.get(id);
        if (found == null || !found.owner().equals(owner) || !capabilities.canTerminate()) {
            return Future.succeededFuture();
        }
        return locked(id, request, () -> {
            UploadState upload = store.get(id);
            if (upload == null) {
                return Future.succeededFuture();
            }
            return delete(upload).onSuccess(v -> LOG.info("event=upload_removed upload={}", id));
        });
    }

    /** Deletes open uploads whose last write is older than the expiry; completes with how many. */
    public Future<Integer> sweepExpired() {
        if (!capabilities.canTerminate()) {
            return Future.succeededFuture(0);
        }
        Instant now = Instant.now();
        Duration remembered = expiry.compareTo(EXPIRED_REMEMBERED) > 0 ? expiry : EXPIRED_REMEMBERED;
        expired.values().removeIf(gone -> gone.at().plus(remembered).isBefore(now));
        List<Future<Void>> sweeps = new ArrayList<>();
        for (UploadState candidate : store.all()) {
            if (isExpired(candidate, now)) {
                sweeps.add(locked(candidate.id(), null, () -> {
                    UploadState upload = store.get(candidate.id());
                    if (upload == null || !isExpired(upload, now)) {
                        return Future.succeededFuture();
                    }
                    expired.put(upload.id(), new Expired(upload.owner(), now));
                    return delete(upload).onSuccess(v -> {
                        metrics.expired.increment();
                        LOG.info("event=upload_expired upload={} offset={} length={}", upload.id(), upload.offset(),
                                upload.length());
                    });
                }));
            }
        }
        return Future.join(sweeps).map(cf -> sweeps.size());
    }

    /**
     * Forgets a complete upload that was handed on and is done with (its clip committed): its
     * state and index entry go, so that what this server keeps, and what each creation and
     * start reads, does not grow with its history. Later requests for it are answered through
     * {@link UploadPolicy#settledLength}; a retried creation no longer finds it.
     */
    public Future<Void> forget(String id) {
        if (!capabilities.canTerminate() || locks.isHeld(id)) {
            // A request working on it now is not cut off for this; the next sweep forgets it.
            return Future.succeededFuture();
        }
        return locked(id, null, () -> {
            UploadState upload = store.get(id);
            if (upload == null || !upload.isComplete() || upload.isPartial()) {
                return Future.succeededFuture();
            }
            return delete(upload).onSuccess(v -> LOG.debug("event=upload_forgotten upload={}", id));
        });
    }

    /** The idempotency key of a creation request, by the policy. */
    String keyOf(Uploader who, Map<String, String> metadata, UploadState.Concat concat) {
        return policy.idempotencyKey(who, metadata, concat);
    }

    private String keyOf(UploadState upload) {
        return keyOf(new Uploader(upload.owner(), upload.deviceId()),
                TusHeaders.metadata(upload.rawMetadata(), Integer.MAX_VALUE), upload.concat());
    }

    private void index(UploadState upload) {
        String key = keyOf(upload);
        if (key != null) {
            byKey.put(key, upload.id());
        }
    }

    private Future<Void> delete(UploadState upload) {
        interrupted.remove(upload.id());
        String key = keyOf(upload);
        if (key != null) {
            byKey.remove(key, upload.id());
        }
        return capabilities.terminator().terminate(upload.id()).onSuccess(v -> events.removed(upload));
    }

    /** Joins final concatenations whose parts all completed before a restart; called once at start. */
    public Future<Void> resumeConcatenations() {
        return concatenation.resume();
    }

    /** Joins a final concatenation once all its parts are complete; until then nothing happens. */
    public Future<Void> joinIfReady(UploadState finalUpload) {
        return concatenation.joinIfReady(finalUpload);
    }

    /** The parts a final concatenation names, each checked to be a partial upload of {@code who}'s. */
    List<UploadState> partsOf(TusHeaders.ConcatRequest request, Uploader who) {
        return concatenation.partsOf(request, who);
    }
}
