package dev.convoy.ingest.tus;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One request at a time per upload. A newer request takes over: the older one is cut off
 * (its received bytes are saved as usual) and the newer one proceeds once that is done,
 * as the tus reference server does. A client that lost its connection thus never waits
 * on a request the server still thinks is alive, and bytes never interleave.
 */
final class UploadLocks {

    private record Holder(HttpServerRequest request, Future<Void> released) {
    }

    private final Map<String, Holder> holders = new ConcurrentHashMap<>();

    /**
     * Runs {@code work} while holding the upload's lock and releases the lock when the work's
     * future completes, however it completes (a throwing {@code work} fails the future).
     *
     * @param request the request taking the lock, cut off by a later one; null for server-side work
     */
    <T> Future<T> withLock(String uploadId, HttpServerRequest request, Supplier<Future<T>> work) {
        return acquire(uploadId, request).compose(release -> {
            Future<T> result;
            try {
                result = work.get();
            } catch (RuntimeException e) {
                result = Future.failedFuture(e);
            }
            return result.andThen(ar -> release.run());
        });
    }

    /**
     * Cuts off every request holding an upload's lock, as a newer request for the upload would:
     * each keeps the bytes it delivered, its offset saved.
     */
    void cutOffAll() {
        for (Holder holder : holders.values()) {
            if (holder.request() != null && !holder.request().response().ended()) {
                holder.request().response().reset();
            }
        }
    }

    /** Whether a request or server-side work holds the upload's lock now. */
    boolean isHeld(String uploadId) {
        return holders.containsKey(uploadId);
    }

    private Future<Runnable> acquire(String uploadId, HttpServerRequest request) {
        Promise<Void> released = Promise.promise();
        Holder mine = new Holder(request, released.future());
        Holder previous = holders.put(uploadId, mine);
        Runnable release = () -> {
            holders.remove(uploadId, mine);
            released.tryComplete();
        };
        if (previous == null) {
            return Future.succeededFuture(release);
        }
        if (previous.request() != null && !previous.request().response().ended()) {
            previous.request().response().reset();
        }
        Context ctx = Vertx.currentContext();
        Promise<Runnable> acquired = Promise.promise();
        previous.released().onComplete(ar -> {
            if (ctx == null) {
                acquired.complete(release);
            } else {
                ctx.runOnContext(v -> acquired.complete(release));
            }
        });
        return acquired.future();
    }
}
