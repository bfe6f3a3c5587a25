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

    /** How many jobs may run at once. */
    int size();

    @Override
    void close();
}
