package dev.convoy.ingest.transcode;

import dev.convoy.transcoder.TranscodeJob;
import dev.convoy.transcoder.TranscodeResult;
import io.vertx.core.Future;

/**
 * Where transcodes run, off the event loop. The queue in front decides the order; a pool
 * only runs what it is given, at most {@link #size()} at a time.
 */
public interface TranscodePool extends AutoCloseable {

    /** Runs one job; fails with {@link dev.convoy.transcoder.TranscodeException} for a clip it refuses. */
    Future<TranscodeResult> transcode(TranscodeJob job);

    /**
     * Runs one job over a clip whose upload may still be {@code arriving} (null: a complete
     * file). A pool that cannot read a growing file waits for the upload's end; one that can
     * starts at once, and its job fails with a {@link dev.convoy.transcoder.TranscodeException#isYield() yield}
     * when the upload stalls or goes away.
     */
    default Future<TranscodeResult> transcode(TranscodeJob job, Arrival arriving) {
        if (arriving == null) {
            return transcode(job);
        }
        return arriving.whenEnded().compose(v -> arriving.abandoned()
                ? Future.failedFuture(Arrival.gone())
                : transcode(job));
    }

    /** How many jobs may run at once. */
    int size();

    @Override
    void close();
}
