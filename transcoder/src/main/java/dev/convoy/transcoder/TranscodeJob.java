package dev.convoy.transcoder;

import java.nio.file.Path;

/**
 * One clip to transcode.
 *
 * @param source       the complete clip on local disk
 * @param outputDir    where the renditions are written (created if missing)
 * @param posterAtMs   where to take the poster, in ms from the start; negative means mid-clip
 * @param spec         what to make
 */
public record TranscodeJob(Path source, Path outputDir, long posterAtMs, RenditionSpec spec) {

    public static final long POSTER_MID_CLIP = -1;

    /** This job with {@code threads} codec threads. */
    public TranscodeJob withThreads(int threads) {
        return threads == spec.threads() ? this : new TranscodeJob(source, outputDir, posterAtMs, spec.withThreads(threads));
    }
}
