package dev.convoy.transcoder;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What renditions to make of a clip, and what clips to accept, as data so that operators can
 * tune it (an extra 480p preview is one more {@link PreviewSpec}; a new kind of rendition is one
 * more name in {@code sinks}).
 *
 * @param posterWidth     poster JPEG width in pixels (aspect kept, height even)
 * @param posterQuality   JPEG quality as an MJPEG qscale, 2 (best) to 31
 * @param thumbWidth      thumbnail width in pixels (JPEG and WebP)
 * @param tileWidth       storyboard tile width in pixels
 * @param maxTiles        at most this many storyboard tiles; the interval grows in whole seconds to fit
 * @param spriteColumns   tiles per row in the storyboard sprite
 * @param storyboardMinMs clips shorter than this get no storyboard
 * @param previews        the preview videos, the first one the main preview
 * @param sinks           the {@link FrameSink} kinds that make the renditions, by name, in the order of the result
 * @param limits          the largest clip accepted
 * @param threads         codec threads for decoding and encoding one clip
 */
public record RenditionSpec(
        int posterWidth,
        int posterQuality,
        int thumbWidth,
        int tileWidth,
        int maxTiles,
        int spriteColumns,
        long storyboardMinMs,
        List<PreviewSpec> previews,
        List<String> sinks,
        ClipLimits limits,
        int threads) {

    public RenditionSpec {
        previews = List.copyOf(previews);
        if (previews.isEmpty()) {
            throw new IllegalArgumentException("at least one preview is needed");
        }
        if (previews.stream().map(PreviewSpec::name).distinct().count() != previews.size()) {
            throw new IllegalArgumentException("preview names must differ: " + previews);
        }
        sinks = List.copyOf(sinks);
        if (sinks.stream().distinct().count() != sinks.size()) {
            throw new IllegalArgumentException("sink names must differ: " + sinks);
        }
        // An unknown name fails here, where the spec is built, not on the first clip.
        sinks.forEach(FrameSinks::named);
    }

    /**
     * One preview video: H.264 + AAC in MP4 with faststart.
     *
     * @param name          file name without extension ({@code preview} is the main one)
     * @param height        lines for landscape input (the short side; width follows the aspect, even)
     * @param maxFps        source frame rates above this are capped
     * @param videoBitrate  target video bitrate in bit/s
     * @param audioBitrate  AAC bitrate in bit/s
     * @param audioChannels AAC channels (1: mono)
     */
    public record PreviewSpec(String name, int height, double maxFps, int videoBitrate, int audioBitrate, int audioChannels) {

        public PreviewSpec {
            if (!name.matches("[a-z0-9][a-z0-9-]{0,31}")) {
                throw new IllegalArgumentException("preview name '" + name + "' must be lowercase letters, digits and '-'");
            }
            if (height < 16 || height > 4320 || maxFps <= 0 || videoBitrate <= 0 || audioBitrate <= 0
                    || audioChannels < 1 || audioChannels > 2) {
                throw new IllegalArgumentException("preview '" + name + "' has out-of-range settings");
            }
        }

        /** Parses {@code name=HEIGHTp@KBITk}, e.g. {@code preview-480=480p@900k}; fps 30, AAC mono 64 kbit/s. */
        public static PreviewSpec parse(String text) {
            Matcher m = Pattern.compile("([a-z0-9-]+)=(\\d+)p@(\\d+)k").matcher(text.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("'" + text + "' is not NAME=HEIGHTp@KBITSk, e.g. preview-480=480p@900k");
            }
            return new PreviewSpec(m.group(1), Integer.parseInt(m.group(2)), 30.0, Integer.parseInt(m.group(3)) * 1000, 64_000, 1);
        }

        public String fileName() {
            return name + ".mp4";
        }
    }

    /**
     * The largest clip accepted, compared with the picture as displayed (long and short side).
     */
    public record ClipLimits(int maxLongSide, int maxShortSide, long maxDurationMs, double maxFps) {
        public static ClipLimits defaults() {
            return new ClipLimits(4096, 2304, 2 * 3600 * 1000L, 120.0);
        }
    }

    public static final PreviewSpec MAIN_PREVIEW = new PreviewSpec("preview", 360, 30.0, 500_000, 64_000, 1);

    /** Poster and thumbnails, storyboard, previews: the order the manifest and the API have always listed them in. */
    public static final List<String> DEFAULT_SINKS = List.of(StillsSink.NAME, StoryboardSink.NAME, PreviewSink.NAME);

    public static RenditionSpec defaults() {
        return new RenditionSpec(1280, 3, 320, 160, 100, 10, 3_000, List.of(MAIN_PREVIEW), DEFAULT_SINKS,
                ClipLimits.defaults(), Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public RenditionSpec withThreads(int threads) {
        return new RenditionSpec(posterWidth, posterQuality, thumbWidth, tileWidth, maxTiles, spriteColumns, storyboardMinMs,
                previews, sinks, limits, threads);
    }

    public RenditionSpec withPreviews(List<PreviewSpec> previews) {
        return new RenditionSpec(posterWidth, posterQuality, thumbWidth, tileWidth, maxTiles, spriteColumns, storyboardMinMs,
                previews, sinks, limits, threads);
    }

    public RenditionSpec withLimits(ClipLimits limits) {
        return new RenditionSpec(posterWidth, posterQuality, thumbWidth, tileWidth, maxTiles, spriteColumns, storyboardMinMs,
                previews, sinks, limits, threads);
    }

    public RenditionSpec withSinks(List<String> sinks) {
        return new RenditionSpec(posterWidth, posterQuality, thumbWidth, tileWidth, maxTiles, spriteColumns, storyboardMinMs,
                previews, sinks, limits, threads);
    }
}
