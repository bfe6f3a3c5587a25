package dev.convoy.ingest.transcode;

import dev.convoy.transcoder.TranscodeException;
import dev.convoy.transcoder.TranscodeResult.Rendition;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.function.Consumer;

/**
 * An upload still arriving, as a transcode that reads it sees it: how many bytes it has
 * acknowledged, whether those are all, or whether it went away. The upload stage moves it on;
 * the pool passes each move to the worker reading the clip, and back from it the pictures the
 * pass makes before its end.
 */
public final class Arrival {

    private final long expected;
    private final Promise<Void> ended = Promise.promise();
    private long acknowledged;
    private boolean complete;
    private boolean abandoned;
    private Runnable watcher = () -> { };
    private Consumer<List<Rendition>> onStills = made -> { };

    /**
     * @param acknowledged bytes acknowledged so far
     * @param expected     the upload's declared length, -1 while deferred
     */
    public Arrival(long acknowledged, long expected) {
        this.acknowledged = acknowledged;
        this.expected = expected;
    }

    /** What a pass over an upload that went away ends with, wherever it stood. */
    static TranscodeException gone() {
        return new TranscodeException(TranscodeException.ABANDONED, "The upload went away.");
    }

    /** The upload has acknowledged {@code length} bytes; {@code last} when that is all of them. */
    public void grew(long length, boolean last) {
        Runnable w;
        synchronized (this) {
            if (abandoned || complete || length < acknowledged) {
                return;
            }
            acknowledged = length;
            complete = last;
            w = watcher;
        }
        w.run();
        if (last) {
            ended.tryComplete();
        }
    }

    /** The upload went away (deleted, expired, handed to another node). */
    public void abandon() {
        Runnable w;
        synchronized (this) {
            if (abandoned || complete) {
                return;
            }
            abandoned = true;
            w = watcher;
        }
        w.run();
        ended.tryComplete();
    }

    public synchronized long acknowledged() {
        return acknowledged;
    }

    public long expected() {
        return expected;
    }

    public synchronized boolean complete() {
        return complete;
    }

    public synchronized boolean abandoned() {
        return abandoned;
    }

    /** True once the upload completed or went away: nothing more will come. */
    public synchronized boolean ended() {
        return complete || abandoned;
    }

    /** Completes once the upload completed or went away. */
    public Future<Void> whenEnded() {
        return ended.future();
    }

    /** {@code onStills} hears of the pictures the pass makes before it ends (see {@code RenditionPipeline.Progress#stills}). */
    public synchronized void onStills(Consumer<List<Rendition>> onStills) {
        this.onStills = onStills;
    }

    /** The pass made pictures before its end. */
    void stillsMade(List<Rendition> made) {
        Consumer<List<Rendition>> to;
        synchronized (this) {
            to = onStills;
        }
        to.accept(made);
    }

    /** {@code onMove} runs after each move (on the thread that made it), in place of any before. */
    synchronized void watch(Runnable onMove) {
        this.watcher = onMove;
    }
}
