package dev.convoy.ingest.tus;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The concatenation and concatenation-unfinished extensions: which partial uploads a final one
 * may name, and joining them, in order, once every part is complete (when the final is
 * created, when its last part completes, or at start for joins a restart interrupted).
 */
final class Concatenation {

    private static final Logger LOG = LoggerFactory.getLogger(Concatenation.class);

    private final UploadStore store;
    private final Capabilities capabilities;
    private final UploadEvents events;
    private final TusMetrics metrics;
    private final long maxSize;

    Concatenation(UploadStore store, Capabilities capabilities, UploadEvents events, TusMetrics metrics, long maxSize) {
        this.store = store;
        this.capabilities = capabilities;
        this.events = events;
        this.metrics = metrics;
        this.maxSize = maxSize;
    }

    /**
     * The parts a final concatenation names, each checked to be a partial upload of {@code who}'s,
     * named once, and not already promised to another final one: a part is joined at most once,
     * so a short header can never make the server write a part's bytes many times over.
     */
    List<UploadState> partsOf(TusHeaders.ConcatRequest concat, Uploader who) {
        List<UploadState> parts = new ArrayList<>();
        Set<String> named = new HashSet<>();
        Set<String> taken = new HashSet<>();
        for (UploadState upload : store.all()) {
            if (upload.concat() == UploadState.Concat.FINAL) {
                taken.addAll(upload.parts());
            }
        }
        for (String id : concat.partIds()) {
            if (!named.add(id)) {
                throw TusError.INVALID_CONCAT.exception("Upload-Concat names /files/" + id + " more than once; name each part once.");
            }
            if (taken.contains(id)) {
                throw TusError.INVALID_CONCAT.exception("Upload-Concat names /files/" + id
                        + ", which another final upload already joins; upload the part again to use it twice.");
            }
            UploadState part = store.get(id);
            if (part == null || !part.owner().equals(who.owner())) {
                throw TusError.INVALID_CONCAT.exception("Upload-Concat names /files/" + id + ", which is not one of your uploads.");
            }
            if (!part.isPartial()) {
                throw TusError.INVALID_CONCAT.exception("Upload-Concat names /files/" + id + ", which was not created as partial.");
            }
            parts.add(part);
        }
        return parts;
    }

    /**
     * Final concatenations whose parts all completed but which were never joined (the process
     * stopped in between) are joined now; called once at start.
     */
    Future<Void> resume() {
        List<Future<Void>> joins = new ArrayList<>();
        for (UploadState upload : store.all()) {
            if (upload.concat() == UploadState.Concat.FINAL && !upload.isComplete()) {
                joins.add(joinIfReady(upload));
            }
        }
        return Future.all(joins).mapEmpty();
    }

    /** When a partial upload completes, any final concatenation whose parts are now all complete is joined. */
    Future<Void> joinWaitingOn(UploadState part) {
        List<Future<Void>> joins = new ArrayList<>();
        for (UploadState upload : store.all()) {
            if (upload.concat() == UploadState.Concat.FINAL && !upload.isComplete() && upload.parts().contains(part.id())) {
                joins.add(joinIfReady(upload));
            }
        }
        return Future.all(joins).mapEmpty();
    }

    /** Joins a final concatenation once all its parts are complete; until then nothing happens. */
    Future<Void> joinIfReady(UploadState finalUpload) {
        List<UploadState> parts = finalUpload.parts().stream().map(store::get).toList();
        if (parts.stream().anyMatch(p -> p == null || !p.isComplete()) || !capabilities.canConcatenate()) {
            return Future.succeededFuture();
        }
        long total = parts.stream().mapToLong(UploadState::length).sum();
        if (total > maxSize) {
            events.refused(finalUpload, "too_large");
            return Future.succeededFuture();
        }
        return capabilities.concatenator().concatenate(finalUpload, parts)
                .compose(sha -> store.save(finalUpload.withLength(total).withOffset(total).withSha256(sha)))
                .compose(joined -> {
                    metrics.completed.increment();
                    LOG.info("event=concatenation_finished upload={} parts={} bytes={} sha256={}", joined.id(),
                            parts.size(), joined.length(), joined.sha256());
                    events.completed(joined);
                    return deleteParts(parts);
                });
    }

    /** Joined parts are spent: their bytes now live in the final upload, so they go. */
    private Future<Void> deleteParts(List<UploadState> parts) {
        if (!capabilities.canTerminate()) {
            return Future.succeededFuture();
        }
        return Future.all(parts.stream().map(part -> capabilities.terminator().terminate(part.id())
                .onSuccess(v -> events.removed(part))).toList()).mapEmpty();
    }
}
