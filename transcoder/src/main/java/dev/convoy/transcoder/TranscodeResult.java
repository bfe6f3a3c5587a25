package dev.convoy.transcoder;

import java.nio.file.Path;
import java.util.List;

/**
 * What one decode pass produced.
 *
 * @param facts          probe facts of the source (frame-rate variability as measured while decoding)
 * @param renditions     every file made, poster first
 * @param videoEncoder   the encoder that made the previews (libx264 or libopenh264)
 * @param framesDecoded  video frames decoded from the source
 * @param wallMs         wall-clock time of the pass
 * @param cpuMs          CPU time of the process during the pass
 */
public record TranscodeResult(
        ProbeFacts facts,
        List<Rendition> renditions,
        String videoEncoder,
        long framesDecoded,
        long wallMs,
        long cpuMs) {

    public static final String POSTER = "poster";
    public static final String THUMBNAIL = "thumbnail";
    public static final String THUMBNAIL_WEBP = "thumbnail-webp";
    public static final String STORYBOARD = "storyboard";
    public static final String STORYBOARD_VTT = "storyboard-vtt";

    /**
     * One file made from the clip.
     *
     * @param role        {@code poster}, {@code thumbnail}, {@code thumbnail-webp}, {@code storyboard},
     *                    {@code storyboard-vtt}, or a preview's name
     * @param file        where it was written
     * @param contentType its media type
     * @param width       picture width, 0 for text
     * @param height      picture height, 0 for text
     */
    public record Rendition(String role, Path file, String contentType, int width, int height) {
    }

    public TranscodeResult {
        renditions = List.copyOf(renditions);
    }

    /** The rendition with this role, or null. */
    public Rendition get(String role) {
        return renditions.stream().filter(r -> r.role().equals(role)).findFirst().orElse(null);
    }

    public Rendition poster() {
        return get(POSTER);
    }

    /** The main preview (the spec's first). */
    public Rendition preview() {
        return renditions.stream().filter(r -> r.contentType().equals("video/mp4")).findFirst().orElseThrow();
    }
}
