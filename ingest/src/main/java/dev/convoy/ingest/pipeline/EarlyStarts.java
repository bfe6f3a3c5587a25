package dev.convoy.ingest.pipeline;

import dev.convoy.ingest.clip.ArrivingClip;
import dev.convoy.ingest.transcode.Arrival;
import dev.convoy.ingest.transcode.TranscodeQueue;
import dev.convoy.transcoder.ContainerLayout;
import dev.convoy.transcoder.TranscodeException;
import dev.convoy.transcoder.TranscodeJob;
import dev.convoy.transcoder.TranscodeResult;
import dev.convoy.transcoder.TranscodeResult.Rendition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a clip's single pass while its upload still arrives, when its container can be decoded
 * from the front (MPEG-TS, Matroska, MP4 with its index first or fragmented, told from its
 * first bytes by {@link ContainerLayout}). The pass waits its turn in the queue like any other
 * and reads the spool as the upload acknowledges it; when the last byte lands only the end of
 * the clip is left to decode. An MP4 with its index at the end starts, as before, once complete.
 *
 * <p>A pass whose upload stalls gives its worker up ({@link TranscodeException#STALLED}) and is
 * started once more when bytes come again ({@link #MOST_STARTS} starts in all); after that, or
 * after its worker died while the clip arrived, the clip waits for its last byte. Each clip's state is dropped when its upload completes
 * ({@link #takeOver}) or goes away ({@link #abandoned}).
 */
final class EarlyStarts {

    private static final Logger LOG = LoggerFactory.getLogger(EarlyStarts.class);

    /** The first bytes read to tell the container. */
    static final int HEAD_BYTES = 64 * 1024;
    /** An MP4 whose index or media does not show within this much waits for its last byte. */
    static final long TELL_WITHIN = 1 << 20;
    /** Passes started over one clip before its last byte, a first one and a restart after a stall. */
    static final int MOST_STARTS = 2;

    /** One clip still arriving; guarded by itself. */
    private static final class Clip {
        /** The most bytes acknowledged so far, whatever this clip is doing when they are. */
        long acknowledged;
        ContainerLayout layout;
        boolean telling;
        boolean closed;
        int starts;
        Arrival arrival;
        Future<TranscodeResult> pass;
    }

    private final Vertx vertx;
    private final TranscodeQueue queue;
    private final Function<ArrivingClip, TranscodeJob> jobs;
    private final BiConsumer<ArrivingClip, List<Rendition>> pictures;
    private final MeterRegistry registry;
    private final Map<String, Clip> clips = new ConcurrentHashMap<>();
    private final Counter started;

    /** {@code pictures} hears of the pictures a pass makes before its clip's last byte. */
    EarlyStarts(Vertx vertx, TranscodeQueue queue, Function<ArrivingClip, TranscodeJob> jobs,
                BiConsumer<ArrivingClip, List<Rendition>> pictures, MeterRegistry registry) {
        this.vertx = vertx;
        this.queue = queue;
        this.jobs = jobs;
        this.pictures = pictures;
        this.registry = registry;
        this.started = Counter.builder("convoy.transcode.early.starts")
                .description("Single passes started while their clip's upload still arrived").register(registry);
        yields(TranscodeException.STALLED);
        yields(TranscodeException.ABANDONED);
    }

    private Counter yields(String reason) {
        return Counter.builder("convoy.transcode.early.yields").description("Passes over arriving clips that gave up their worker")
                .tag("reason", reason).register(registry);
    }

    /** Bytes of {@code upload} were acknowledged: tell its container, start its pass, or tell the pass. */
    void arrived(ArrivingClip upload) {
        Clip clip = clips.computeIfAbsent(upload.id(), id -> new Clip());
        boolean tell;
        boolean start;
        synchronized (clip) {
            if (clip.closed) {
                return;
            }
            clip.acknowledged = Math.max(clip.acknowledged, upload.acknowledged());
            if (clip.arrival != null) {
                clip.arrival.grew(clip.acknowledged, false);
                return;
            }
            // Told from a full head (or the whole of a smaller clip): a first write of a few bytes tells nothing yet.
            tell = clip.layout == null && !clip.telling
                    && upload.acknowledged() >= Math.min(HEAD_BYTES, upload.length() > 0 ? upload.length() : HEAD_BYTES);
            start = clip.layout != null && clip.layout.readsFromFront() && clip.starts < MOST_STARTS;
            clip.telling |= tell;
        }
        if (tell) {
            tell(upload, clip);
        } else if (start) {
            start(upload, clip);
        }
    }

    /** Reads the clip's first bytes off the event loop and tells its container; starts its pass if it reads from the front. */
    private void tell(ArrivingClip upload, Clip clip) {
        // The first boxes of an MP4 may run past the usual head: up to TELL_WITHIN is read to find its index or its media.
        int length = (int) Math.min(TELL_WITHIN, upload.acknowledged());
        vertx.executeBlocking(() -> ContainerLayout.of(head(upload.spool(), length), length, false), false).onComplete(ar -> {
            ContainerLayout layout = ar.succeeded() ? ar.result() : ContainerLayout.OTHER;
            if (layout == ContainerLayout.NEED_MORE && length >= TELL_WITHIN) {
                layout = ContainerLayout.MP4_INDEX_LAST;
            }
            boolean start;
            synchronized (clip) {
                clip.telling = false;
                // Not told yet: the next bytes acknowledged try again.
                clip.layout = layout == ContainerLayout.NEED_MORE ? null : layout;
                start = !clip.closed && layout.readsFromFront();
            }
            LOG.debug("event=container_told upload={} layout={}", upload.id(), layout);
            if (start) {
                start(upload, clip);
            }
        });
    }

    private static byte[] head(Path spool, int length) throws IOException {
        try (FileChannel in = FileChannel.open(spool, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(length);
            while (head.hasRemaining() && in.read(head) > 0) {
                // Reads until the acknowledged head is in.
            }
            return head.array();
        }
    }

    private void start(ArrivingClip upload, Clip clip) {
        Arrival arrival;
        Future<TranscodeResult> pass;
        synchronized (clip) {
            if (clip.closed || clip.arrival != null || clip.starts >= MOST_STARTS) {
                return;
            }
            arrival = new Arrival(Math.max(clip.acknowledged, upload.acknowledged()), upload.length());
            arrival.onStills(made -> pictures.accept(upload, made));
            clip.arrival = arrival;
            // The owner's volume counts the clip once, however often its pass starts.
            long bytes = clip.starts == 0 ? Math.max(upload.length(), upload.acknowledged()) : 0;
            clip.starts++;
            pass = queue.submit(upload.metadata().kind(), upload.owner(), bytes, jobs.apply(upload), arrival);
            clip.pass = pass;
        }
        started.increment();
        LOG.info("event=transcode_started_early upload={} acknowledged={} length={}", upload.id(), upload.acknowledged(), upload.length());
        pass.onFailure(err -> {
            if (err instanceof TranscodeException te && te.isYield()) {
                yields(te.reason()).increment();
                LOG.info("event=transcode_yielded upload={} reason={}", upload.id(), te.reason());
                synchronized (clip) {
                    if (clip.arrival == arrival) {
                        // The next bytes acknowledged start it again (while starts are left), unless its worker died on it.
                        clip.arrival = null;
                        clip.pass = null;
                        if (TranscodeException.INTERRUPTED.equals(te.reason())) {
                            clip.starts = MOST_STARTS;
                        }
                    }
                }
            }
        });
    }

    /** A clip no longer tracked: the pass started over it, if any, and the Arrival it reads. */
    private record Closed(Arrival arrival, Future<TranscodeResult> pass) {
    }

    /** Stops tracking clip {@code id}; null when it was not tracked. */
    private Closed close(String id) {
        Clip clip = clips.remove(id);
        if (clip == null) {
            return null;
        }
        synchronized (clip) {
            clip.closed = true;
            return new Closed(clip.arrival, clip.pass);
        }
    }

    /**
     * The clip's last byte landed: its pass, if one runs or ran, hears that the upload is
     * complete and is returned (null when none was started); the clip is no longer tracked here.
     */
    Future<TranscodeResult> takeOver(String id, long length) {
        Closed clip = close(id);
        if (clip == null || clip.arrival() == null) {
            return null;
        }
        clip.arrival().grew(length, true);
        return clip.pass();
    }

    /** The clip's upload went away: its pass, if any, stops. Completes once it has. */
    Future<Void> abandoned(String id) {
        Closed clip = close(id);
        if (clip == null || clip.arrival() == null) {
            return Future.succeededFuture();
        }
        clip.arrival().abandon();
        return clip.pass().<Void>mapEmpty().otherwiseEmpty();
    }

}
