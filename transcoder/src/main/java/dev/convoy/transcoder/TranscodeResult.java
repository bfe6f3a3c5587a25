package dev.convoy.transcoder;

import java.nio.file.Path;

/**
 * What one decode pass produced.
 *
 * @param facts          probe facts of the source
 * @param poster         the poster JPEG
 * @param posterWidth    poster width in pixels
 * @param posterHeight   poster height in pixels
 * @param preview        the preview MP4
 * @param previewWidth   preview width in pixels
 * @param previewHeight  preview height in pixels
 * @param videoEncoder   the encoder that made the preview (libx264 or libopenh264)
 * @param framesDecoded  video frames decoded from the source
 * @param wallMs         wall-clock time of the pass
 * @param cpuMs          CPU time of the calling thread and the codec threads it drove, as seen by the process
 */
public record TranscodeResult(
        ProbeFacts facts,
        Path poster,
        int posterWidth,
        int posterHeight,
        Path preview,
        int previewWidth,
        int previewHeight,
        String videoEncoder,
        long framesDecoded,
        long wallMs,
        long cpuMs) {
}
