package dev.convoy.transcoder;

/**
 * The clip's timeline, worked out once for every sink. Decoder timestamps are shifted so that
 * the first picture is at 0; a picture whose time does not advance (a repeated or backwards
 * timestamp, as a damaged stretch gives) is dropped before any sink sees it. On the way it
 * measures the spread of frame intervals, which is how a variable frame rate shows.
 */
final class FrameClock {

    /** What {@link #place} answers for a picture to drop; placed times are never negative. */
    static final long SKIP = -1;
    /**
     * Frame intervals that differ by more than this (1.5 ms) mean a variable frame rate;
     * container time bases round a constant rate by less.
     */
    private static final long VARIABLE_SPREAD_US = 1_500;

    private long originUs = Long.MIN_VALUE;
    private long lastUs = Long.MIN_VALUE;
    private long minStepUs = Long.MAX_VALUE;
    private long maxStepUs;
    private long frames;

    /** The time of a picture decoded at {@code timestampUs}, in µs from the first picture, or {@link #SKIP}. */
    long place(long timestampUs) {
        if (originUs == Long.MIN_VALUE) {
            originUs = timestampUs;
        }
        long t = timestampUs - originUs;
        if (t <= lastUs) {
            return SKIP;
        }
        if (lastUs != Long.MIN_VALUE) {
            minStepUs = Math.min(minStepUs, t - lastUs);
            maxStepUs = Math.max(maxStepUs, t - lastUs);
        }
        lastUs = t;
        frames++;
        return t;
    }

    /** Pictures placed so far. */
    long frames() {
        return frames;
    }

    /** The time of the last picture placed, 0 before the first. */
    long lastUs() {
        return frames == 0 ? 0 : lastUs;
    }

    boolean variableFrameRate() {
        return frames > 2 && maxStepUs - minStepUs > VARIABLE_SPREAD_US;
    }
}
