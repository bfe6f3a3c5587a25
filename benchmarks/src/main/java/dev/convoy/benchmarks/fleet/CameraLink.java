package dev.convoy.benchmarks.fleet;

import dev.convoy.benchmarks.tus.Link;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import java.util.Random;

/**
 * One camera's link as its {@link NetworkProfile} says: each request waits the latency; a body
 * goes out at the profile's bandwidth in slices of {@value #SLICE_MS} ms and, by chance, stalls
 * midway or is cut off (the connection reset) at a random byte. All on timers; nothing blocks.
 */
final class CameraLink implements Link {

    /** Why a request the link cut off failed; the fleet counts these apart from real errors. */
    static final String DROPPED = "dropped";

    private static final long SLICE_MS = 50;

    private final Vertx vertx;
    private final NetworkProfile network;
    private final Random random;

    /** {@code random} is the camera's own, so that a seeded run draws the same cuts and stalls. */
    CameraLink(Vertx vertx, NetworkProfile network, Random random) {
        this.vertx = vertx;
        this.network = network;
        this.random = random;
    }

    @Override
    public Future<Void> beforeRequest() {
        return later(vertx, network.latencyMs());
    }

    @Override
    public Future<Void> send(HttpClientRequest request, Buffer body) {
        int cutAt = random.nextDouble() < network.dropPerChunk() ? random.nextInt(Math.max(1, body.length())) : -1;
        int stallAt = random.nextDouble() < network.stallPerChunk() ? random.nextInt(Math.max(1, body.length())) : -1;
        int slice = (int) Math.max(4096, network.bytesPerSecond() * SLICE_MS / 1000);
        Promise<Void> sent = Promise.promise();
        writeSlices(request, body, 0, slice, cutAt, stallAt, sent);
        return sent.future();
    }

    private void writeSlices(HttpClientRequest req, Buffer body, int from, int slice, int cutAt, int stallAt, Promise<Void> sent) {
        if (cutAt >= 0 && from >= cutAt) {
            req.reset();
            sent.fail(DROPPED);
            return;
        }
        if (from >= body.length()) {
            req.end().onComplete(ar -> sent.tryComplete());
            return;
        }
        int to = Math.min(body.length(), from + slice);
        if (cutAt >= 0 && to > cutAt) {
            to = Math.max(cutAt, from + 1);
        }
        int next = to;
        long pause = SLICE_MS * (to - from) / slice;
        if (stallAt >= 0 && from <= stallAt && stallAt < to) {
            pause += network.stallMs();
        }
        req.write(body.slice(from, to)).onFailure(sent::tryFail);
        vertx.setTimer(Math.max(1, pause), id -> writeSlices(req, body, next, slice, cutAt, stallAt, sent));
    }

    /** Completes after {@code ms} on a timer; at once for none. */
    static Future<Void> later(Vertx vertx, long ms) {
        if (ms <= 0) {
            return Future.succeededFuture();
        }
        Promise<Void> p = Promise.promise();
        vertx.setTimer(ms, id -> p.complete());
        return p.future();
    }
}
