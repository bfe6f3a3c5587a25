package dev.convoy.ingest.queue;

import dev.convoy.transcoder.RenditionPipeline;
import dev.convoy.transcoder.TranscodeJob;
import dev.convoy.transcoder.TranscodeResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.TimeUnit;

/** Runs transcodes on a bounded pool of worker threads inside the service's own process. */
public final class ThreadTranscodePool implements TranscodePool {

    private final WorkerExecutor executor;
    private final RenditionPipeline pipeline = new RenditionPipeline();
    private final int size;

    public ThreadTranscodePool(Vertx vertx, int size) {
        this.size = size;
        // A transcode legitimately runs for minutes: do not let the blocked-thread checker cry wolf.
        this.executor = vertx.createSharedWorkerExecutor("convoy-transcode", Math.max(1, size), 6, TimeUnit.HOURS);
    }

    @Override
    public Future<TranscodeResult> transcode(TranscodeJob job) {
        return executor.executeBlocking(() -> pipeline.run(job), false);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void close() {
        executor.close();
    }
}
