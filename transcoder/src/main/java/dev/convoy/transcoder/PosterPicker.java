package dev.convoy.transcoder;

import java.util.function.LongUnaryOperator;
import org.bytedeco.javacv.Frame;

/**
 * Chooses the poster frame while the stream is decoded. An incident's poster is the frame at
 * its event time. Otherwise it is a representative frame near the middle: the first frame
 * from mid-clip on that is neither black nor flat (checked twice a second on sampled luma);
 * if none turns up within a window, the most detailed frame seen there.
 *
 * <p>The middle is taken from the clip's duration as known at each frame ({@link FrameSink.Setup#durationMs}):
 * the container's, or for a clip still arriving a guess that firms up as it goes (0 while there
 * is none yet). Where there never is one (an upload of no declared length) the first usable
 * frame is taken. An event time is taken as given whenever the duration is a guess.
 */
final class PosterPicker {

    /** Luma mean below this is a black frame (video range starts at 16). */
    static final double DARKEST_MEAN = 28;
    /** Luma standard deviation below this is a flat frame (a lens cap, a wall, a fade). */
    static final double FLATTEST_STDDEV = 10;
    private static final long CHECK_EVERY_US = 500_000;

    private final boolean exact;
    private final long posterAtMs;
    private final LongUnaryOperator durationAt;
    private long fromUs;
    private long windowEndUs;
    /** Set once the window is entered: the guess of the middle no longer moves it. */
    private boolean placed;
    private Frame best;
    private double bestScore = -1;
    private boolean done;
    private long nextCheckUs;

    /** A poster at {@code posterAtMs} (negative: mid-clip), {@code durationAt} giving the clip's duration as known at a frame. */
    PosterPicker(long posterAtMs, LongUnaryOperator durationAt) {
        this.exact = posterAtMs >= 0;
        this.posterAtMs = posterAtMs;
        this.durationAt = durationAt;
    }

    /** Where the window starts and ends as the duration is now known; false while no frame is wanted yet. */
    private boolean place(long tUs) {
        if (placed) {
            return true;
        }
        long durationMs = durationAt.applyAsLong(tUs);
        if (durationMs == 0) {
            return false;
        }
        if (durationMs < 0) {
            // No guess of the duration: an event time is taken as given, a mid-clip poster is the first usable frame.
            fromUs = exact ? posterAtMs * 1000 : 0;
            windowEndUs = fromUs + 2_000_000L;
        } else {
            fromUs = RenditionPipeline.posterTimeUs(posterAtMs, durationMs);
            windowEndUs = fromUs + Math.max(2_000_000L, durationMs * 1000 / 4);
        }
        placed = tUs >= fromUs;
        nextCheckUs = fromUs;
        return placed;
    }

    boolean done() {
        return done;
    }

    /** Neither black nor flat: a frame worth showing. */
    static boolean usable(Frame frame) {
        double[] stats = Yuv420.lumaStats(frame);
        return stats[0] >= DARKEST_MEAN && stats[1] >= FLATTEST_STDDEV;
    }

    void offer(Frame frame, long tUs) {
        if (done || !place(tUs) || tUs < nextCheckUs) {
            return;
        }
        if (exact) {
            keep(frame);
            done = true;
            return;
        }
        nextCheckUs = tUs + CHECK_EVERY_US;
        double[] stats = Yuv420.lumaStats(frame);
        boolean usable = stats[0] >= DARKEST_MEAN && stats[1] >= FLATTEST_STDDEV;
        if (usable || stats[1] > bestScore) {
            keep(frame);
            bestScore = stats[1];
        }
        done = usable || tUs >= windowEndUs;
    }

    /** The last frame of a clip shorter than the poster time still makes a poster. */
    void offerLast(Frame frame) {
        if (best == null) {
            keep(frame);
        }
    }

    Frame picked() {
        return best;
    }

    private void keep(Frame frame) {
        if (best == null || best.imageStride != frame.imageStride || best.imageHeight != frame.imageHeight) {
            best = Yuv420.copy(frame);
        } else {
            Yuv420.copyInto(frame, best);
        }
    }
}
