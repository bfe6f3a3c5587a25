package dev.convoy.transcoder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What one decode pass produced: the facts, and every rendition the spec's frame sinks made, as
 * a plain list. Nothing here knows which renditions exist; readers iterate the list, so a new
 * {@link FrameSink} reaches the commit and the manifest without a change here.
 *
 * @param facts          probe facts of the source (frame-rate variability as measured while decoding)
 * @param renditions     every file made, in the order of the spec's sinks (poster first by default)
 * @param videoEncoder   the H.264 encoder this transcoder has (libx264 or libopenh264), for logs and figures
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

    public TranscodeResult {
        renditions = List.copyOf(renditions);
        // Roles key the manifest and file names key the objects: a duplicate would overwrite silently.
        if (renditions.stream().map(Rendition::role).distinct().count() != renditions.size()) {
            throw new IllegalArgumentException("rendition roles must differ: " + renditions);
        }
        if (renditions.stream().map(r -> r.file().getFileName()).distinct().count() != renditions.size()) {
            throw new IllegalArgumentException("rendition file names must differ: " + renditions);
        }
    }

    /**
     * One file made from the clip.
     *
     * @param role         what it is, e.g. {@code poster}, {@code storyboard-vtt} or a preview's name; unique in a result
     * @param file         where it was written; its file name becomes the object's name
     * @param contentType  its media type
     * @param width        picture width, 0 for text
     * @param height       picture height, 0 for text
     * @param videoEncoder the encoder that made a video, null for pictures and text
     * @param bytes        the file's size
     */
    public record Rendition(String role, Path file, String contentType, int width, int height, String videoEncoder,
                            long bytes) {

        public Rendition {
            if (!role.matches("[a-z0-9][a-z0-9-]{0,31}")) {
                throw new IllegalArgumentException("rendition role '" + role + "' must be lowercase letters, digits and '-'");
            }
            if (contentType.isBlank() || width < 0 || height < 0 || bytes < 0) {
                throw new IllegalArgumentException("rendition '" + role + "' has out-of-range fields");
            }
        }

        /** A still picture already written to {@code file}. */
        public static Rendition picture(String role, Path file, String contentType, Dimensions size) throws IOException {
            return new Rendition(role, file, contentType, size.width(), size.height(), null, Files.size(file));
        }

        /** A video already written to {@code file} by {@code encoder}. */
        public static Rendition video(String role, Path file, String contentType, Dimensions size, String encoder)
                throws IOException {
            return new Rendition(role, file, contentType, size.width(), size.height(), encoder, Files.size(file));
        }

        /** A text file (cues, a log) already written to {@code file}. */
        public static Rendition text(String role, Path file, String contentType) throws IOException {
            return new Rendition(role, file, contentType, 0, 0, null, Files.size(file));
        }
    }

    /** The rendition with this role, or null. */
    public Rendition get(String role) {
        return renditions.stream().filter(r -> r.role().equals(role)).findFirst().orElse(null);
    }

    public Rendition poster() {
        return get(StillsSink.POSTER);
    }

    /** The main preview (the spec's first). */
    public Rendition preview() {
        return renditions.stream().filter(r -> r.contentType().equals("video/mp4")).findFirst().orElseThrow();
    }
}
