package dev.convoy.ingest;

import dev.convoy.ingest.cluster.Handoff;
import dev.convoy.ingest.ops.Backpressure;
import dev.convoy.ingest.tus.TusEndpoint;
import dev.convoy.ingest.upload.ClipUploads;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's drain before it stops (SIGTERM: a rolling update, a scale-down). The caller has
 * already marked the node draining: readiness is false and new uploads get 503 with
 * Retry-After. Requests in flight and clips on their way (waiting, transcoding, committing) get
 * up to the grace to finish; then the uploads still being written are cut off (their bytes
 * kept, their offsets saved, as when a connection drops). One of several nodes then stops
 * transcoding and parks every upload still open and every clip not yet committed in object
 * storage, for another node to adopt; otherwise (and whatever could not be parked) it stays on
 * the spool, where a restart with the same volume takes it up again.
 */
final class NodeDrain {

    private static final Logger LOG = LoggerFactory.getLogger(NodeDrain.class);
    /** How often a drain looks whether requests and clips are done. */
    private static final Duration CHECK = Duration.ofMillis(100);
    /** After the grace, how long uploads that were cut off get to save their offsets. */
    static final Duration CUT_OFF_SETTLE = Duration.ofSeconds(5);
    /** A stopping node of several lets commits under way finish for up to this long before it hands its clips on. */
    static final Duration COMMITS_FINISH = Duration.ofSeconds(20);

    private final Vertx vertx;
    private final TusEndpoint tus;
    private final ClipUploads clips;
    private final Backpressure backpressure;
    /** Where a node of several parks what it has; null for a single node. */
    private final Handoff handoff;

    NodeDrain(Vertx vertx, TusEndpoint tus, ClipUploads clips, Backpressure backpressure, Handoff handoff) {
        this.vertx = vertx;
        this.tus = tus;
        this.clips = clips;
        this.backpressure = backpressure;
        this.handoff = handoff;
    }

    Future<Void> run(Duration grace) {
        Future<Void> drained = finishOrCutOff(grace);
        if (handoff == null) {
            return drained;
        }
        // The clips waiting for a worker or being transcoded are handed on too, once commits under way are done;
        // no upload takes bytes (or completes) from here on, so none is left out of what is parked.
        return drained.compose(v -> {
                    backpressure.closeWrites();
                    return clips.stopTranscoding(COMMITS_FINISH);
                })
                .compose(taken -> handoff.parkAll(vertx.getOrCreateContext(), taken))
                .mapEmpty();
    }

    /** Waits until nothing is in flight, or cuts off what still writes once the grace is over. */
    private Future<Void> finishOrCutOff(Duration grace) {
        long started = System.nanoTime();
        LOG.info("event=drain_started grace_s={} requests={} clips={}", grace.toSeconds(), tus.requestsInFlight(),
                clips.clipsInProgress());
        Promise<Void> drained = Promise.promise();
        boolean[] cutOff = {false};
        vertx.setPeriodic(CHECK.toMillis(), timer -> {
            int requests = tus.requestsInFlight();
            int inProgress = clips.clipsInProgress();
            boolean idle = requests == 0 && inProgress == 0;
            long waitedMs = (System.nanoTime() - started) / 1_000_000;
            if (!idle && waitedMs >= grace.toMillis() && !cutOff[0]) {
                // Out of time: uploads still sending are cut off while the spool can still save their offsets.
                cutOff[0] = true;
                backpressure.closeWrites();
                tus.uploads().cutOffWrites();
                return;
            }
            if (idle || waitedMs >= grace.plus(CUT_OFF_SETTLE).toMillis() || (cutOff[0] && requests == 0)) {
                vertx.cancelTimer(timer);
                LOG.info("event=drain_finished waited_ms={} requests={} clips={} by={}", waitedMs, requests, inProgress,
                        cutOff[0] || !idle ? "grace" : "idle");
                drained.tryComplete();
            }
        });
        return drained.future();
    }
}
