package dev.convoy.transcoder;

/**
 * A picture size; the factories keep the source aspect, round to even numbers (as 4:2:0
 * needs) and never scale up.
 */
public record Dimensions(int width, int height) {

    /** Scales so that the shorter side is {@code shortSide} (360 lines for 16:9 landscape), or less for a smaller source. */
    public static Dimensions shortSide(int srcWidth, int srcHeight, int shortSide) {
        int target = Math.min(shortSide, Math.min(srcWidth, srcHeight));
        if (srcWidth >= srcHeight) {
            return new Dimensions(even((double) target * srcWidth / srcHeight), even(target));
        }
        return new Dimensions(even(target), even((double) target * srcHeight / srcWidth));
    }

    /** Scales to the given width, or the source's if that is narrower. */
    public static Dimensions width(int srcWidth, int srcHeight, int width) {
        int target = Math.min(width, srcWidth);
        return new Dimensions(even(target), even((double) target * srcHeight / srcWidth));
    }

    static int even(double v) {
        int n = (int) Math.round(v / 2.0) * 2;
        return Math.max(2, n);
    }
}
