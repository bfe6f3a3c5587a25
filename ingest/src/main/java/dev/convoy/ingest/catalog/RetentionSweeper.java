package dev.convoy.ingest.catalog;

import dev.convoy.ingest.storage.ExpiryMarker;
import dev.convoy.ingest.storage.ObjectKeys;
import dev.convoy.ingest.storage.ObjectStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes clips whose retention has run out, for stores without lifecycle rules. It lists
 * {@code expiry/} in key order, which is expiry order, deletes each clip that is due and
 * then its marker, and stops at the first marker not yet due. Sweeps on several nodes at once
 * only repeat each other's deletions, which is harmless.
 */
public final class RetentionSweeper {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionSweeper.class);

    private final ObjectStore store;
    private final ClipCatalog catalog;
    private final ClipsApi.UploadRemover uploads;
    private final Clock clock;
    private final Counter expired;
    private final AtomicBoolean running = new AtomicBoolean();

    public RetentionSweeper(ObjectStore store, ClipCatalog catalog, ClipsApi.UploadRemover uploads, Clock clock,
                            MeterRegistry registry) {
        this.store = store;
        this.catalog = catalog;
        this.uploads = uploads;
        this.clock = clock;
        this.expired = Counter.builder("convoy.retention.expired")
                .description("Clips deleted because their retention ran out").register(registry);
    }

    /** One sweep; completes with the number of clips deleted (0 when a sweep was already running). */
    public Future<Integer> sweep(Context ctx) {
        if (!running.compareAndSet(false, true)) {
            return Future.succeededFuture(0);
        }
        Promise<Integer> done = Promise.promise();
        page(ctx, null, 0, done);
        return done.future()
                .onSuccess(n -> {
                    if (n > 0) {
                        LOG.info("event=retention_sweep deleted={}", n);
                    }
                })
                .onFailure(err -> LOG.warn("event=retention_sweep_failed cause=\"{}\"", err.toString()))
                .andThen(ar -> running.set(false));
    }

    private void page(Context ctx, String startAfter, int deleted, Promise<Integer> done) {
        store.listKeys(ctx, ExpiryMarker.PREFIX, startAfter, 1000).onFailure(done::fail).onSuccess(page -> {
            Future<Integer> chain = Future.succeededFuture(deleted);
            for (String key : page.keys()) {
                ExpiryMarker marker = ExpiryMarker.parse(key);
                if (marker != null && marker.at().isAfter(clock.instant())) {
                    chain.onFailure(done::fail).onSuccess(done::complete);
                    return;
                }
                chain = chain.compose(n -> marker == null ? Future.succeededFuture(n) : expire(ctx, marker, key).map(n + 1));
            }
            String last = page.keys().isEmpty() ? null : page.keys().get(page.keys().size() - 1);
            chain.onFailure(done::fail).onSuccess(n -> {
                if (page.truncated() && last != null) {
                    page(ctx, last, n, done);
                } else {
                    done.complete(n);
                }
            });
        });
    }

    private Future<Void> expire(Context ctx, ExpiryMarker marker, String key) {
        return catalog.deleteCommitted(ctx, marker.owner(), marker.clipId())
                .compose(found -> {
                    if (!found) {
                        // A commit that stopped after its marker: clear whatever it left.
                        return store.deletePrefix(ctx, ObjectKeys.prefix(marker.owner(), marker.clipId())).<Void>mapEmpty();
                    }
                    expired.increment();
                    LOG.info("event=clip_expired clip={} owner={} expired_at={}", marker.clipId(), marker.owner(), marker.at());
                    // The upload's state goes too, as with a deletion (its clientClipId is free again).
                    return uploads.remove(marker.owner(), marker.clipId(), null);
                })
                .compose(v -> store.delete(ctx, key));
    }
}
