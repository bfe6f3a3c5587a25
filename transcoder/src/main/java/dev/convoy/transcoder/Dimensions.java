package dev.convoy.transcoder;

/** A picture size; the factories keep the source aspect and round to even numbers, as 4:2:0 needs. */
public record Dimensions(int width, int height) {

    /** Scales so that the shorter side is {@code shortSide} (360 lines for 16:9 landscape). */
    public static Dimensions shortSide(int srcWidth, int srcHeight, int shortSide) {
        if (srcWidth >= srcHeight) {
            return new Dimensions(even((double) shortSide * srcWidth / srcHeight), even(shortSide));
        }
        return new Dimensions(even(shortSide), even((double) shortSide * srcHeight / srcWidth));
    }

    /** Scales to the given width. */
    public static Dimensions width(int srcWidth, int srcHeight, int width) {
        return new Dimensions(even(width), even((double) width * srcHeight / srcWidth));
    }

    static int even(double v) {
        int n = (int) Math.round(v / 2.0) * 2;
        return Math.max(2, n);
    }
}
