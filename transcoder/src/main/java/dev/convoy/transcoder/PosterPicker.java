package dev.convoy.transcoder;

import org.bytedeco.javacv.Frame;

/**
 * Chooses the poster frame while the stream is decoded. An incident's poster is the frame at
 * its event time. Otherwise it is a representative frame near the middle: the first frame
 * from mid-clip on that is neither black nor flat (checked twice a second on sampled luma);
 * if none turns up within a window, the most detailed frame seen there.
 */
final class PosterPicker {

    /** Luma mean below this is a black frame (video range starts at 16). */
    static final double DARKEST_MEAN = 28;
    /** Luma standard deviation below this is a flat frame (a lens cap, a wall, a fade). */
    static final double FLATTEST_STDDEV = 10;
    private static final long CHECK_EVERY_US = 500_000;

    private final boolean exact;
    private final long fromUs;
    private final long windowEndUs;
    private Frame best;
    private double bestScore = -1;
    private boolean done;
    private long nextCheckUs;

    PosterPicker(long posterAtMs, long durationMs) {
        this.exact = posterAtMs >= 0;
        this.fromUs = RenditionPipeline.posterTimeUs(posterAtMs, durationMs);
        this.windowEndUs = fromUs + Math.max(2_000_000L, durationMs * 1000 / 4);
        this.nextCheckUs = fromUs;
    }

    boolean done() {
        return done;
    }

    void offer(Frame frame, long tUs) {
        if (done || tUs < nextCheckUs) {
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
