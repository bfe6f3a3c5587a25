package dev.convoy.ingest.upload;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One request at a time per upload. A newer request takes over: the older one is cut off
 * (its received bytes are saved as usual) and the newer one proceeds once that is done,
 * as the tus reference server does. A client that lost its connection thus never waits
 * on a request the server still thinks is alive, and bytes never interleave.
 */
final class UploadLocks {

    /** Held while a request reads or writes an upload; release exactly once. */
    interface Lock {
        void release();
    }

    private record Holder(HttpServerRequest request, Future<Void> released) {
    }

    private final Map<String, Holder> holders = new ConcurrentHashMap<>();

    Future<Lock> acquire(String uploadId, HttpServerRequest request) {
        Promise<Void> released = Promise.promise();
        Holder mine = new Holder(request, released.future());
        Holder previous = holders.put(uploadId, mine);
        Lock lock = () -> {
            holders.remove(uploadId, mine);
            released.tryComplete();
        };
        if (previous == null) {
            return Future.succeededFuture(lock);
        }
        if (previous.request() != null && !previous.request().response().ended()) {
            previous.request().response().reset();
        }
        Context ctx = Vertx.currentContext();
        Promise<Lock> acquired = Promise.promise();
        previous.released().onComplete(ar -> ctx.runOnContext(v -> acquired.complete(lock)));
        return acquired.future();
    }
}
