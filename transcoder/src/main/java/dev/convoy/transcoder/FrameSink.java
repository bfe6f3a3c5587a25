package dev.convoy.transcoder;

import dev.convoy.transcoder.TranscodeResult.Rendition;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacv.Frame;

/**
 * Makes renditions from the frames of the one decode as they pass. {@link RenditionPipeline}
 * decodes a clip once and hands every frame to every sink the spec names, so a new rendition is
 * a new sink: its class, a {@link Factory} under a name, and that name in
 * {@link RenditionSpec#sinks()}. The decode loop, the worker protocol and the manifest carry
 * whatever {@link Rendition}s a sink reports and need no change.
 *
 * <p>Pictures are planar YUV 4:2:0 at the coded size, not yet turned upright ({@code facts().rotation()}
 * says how). Frames belong to the decoder, which reuses them for the next one: a sink that keeps
 * a picture past {@link #accept} copies it.
 *
 * <p>The pipeline calls {@link #accept} and {@link #acceptAudio} in stream order, then
 * {@link #finish} once if the whole clip decoded, then {@link #close} always.
 */
public interface FrameSink extends AutoCloseable {

    /**
     * A decoded picture at {@code tUs} microseconds on the clip's timeline: the first picture is
     * at 0 and times strictly increase ({@link FrameClock} has dropped repeats), also when the
     * frame rate varies.
     */
    void accept(Frame picture, long tUs) throws IOException;

    /** Decoded audio samples, in stream order; only for clips with audio. Most sinks ignore them. */
    default void acceptAudio(Frame samples) throws IOException {
    }

    /** After the last frame: writes what is left and says what was made, possibly nothing. */
    List<Rendition> finish() throws IOException;

    /** Frees native buffers and encoders; called once, after {@link #finish} or after a failure. */
    @Override
    void close();

    /**
     * Opens the sinks of one kind for a clip. The built-in kinds are {@code stills},
     * {@code storyboard} and {@code previews}; others are found with {@code ServiceLoader}
     * (list the class in {@code META-INF/services/dev.convoy.transcoder.FrameSink$Factory}; it
     * needs a public no-argument constructor), so the worker process finds them on its classpath too.
     */
    interface Factory {

        /** The name a spec gives this kind: lowercase letters, digits and '-'. */
        String name();

        /** The sinks for this clip: none (the clip gets no such rendition), one, or several (one per preview). */
        List<FrameSink> open(Setup setup) throws IOException;

        /** A factory named {@code name} that opens sinks with {@code open}. */
        static Factory of(String name, Opener open) {
            return new Factory() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public List<FrameSink> open(Setup setup) throws IOException {
                    return open.open(setup);
                }
            };
        }
    }

    /** How a {@link Factory#of} factory opens its sinks. */
    @FunctionalInterface
    interface Opener {
        List<FrameSink> open(Setup setup) throws IOException;
    }

    /**
     * What a sink knows before the first frame.
     *
     * @param job         the clip: its spec, where the poster is wanted and where outputs go
     * @param facts       the probe facts; {@code variableFps} is measured later, by the {@link FrameClock}
     * @param sampleRate  the decoded audio's sample rate, 0 when unknown
     * @param h264Encoder the H.264 encoder the linked natives have (see {@link Codecs#h264Encoder()})
     * @param arriving    the clip's upload while it still arrives, read as it grows; null for a complete file
     * @param progress    where the pass reports as it goes (a sink may report pictures made early)
     */
    record Setup(TranscodeJob job, ProbeFacts facts, int sampleRate, String h264Encoder, ArrivingSource arriving,
                 RenditionPipeline.Progress progress) {

        /**
         * The clip's duration in ms: the container's for a complete file; for one still arriving
         * (whose container states none yet) a guess from how far {@code tUs} of it reached into
         * the upload's declared length: 0 while there is no guess yet, -1 when there will be none
         * (the upload's length is not declared).
         */
        public long durationMs(long tUs) {
            return arriving == null ? facts.durationMs() : arriving.estimatedDurationMs(tUs);
        }

        public RenditionSpec spec() {
            return job.spec();
        }

        /** Where a rendition file named {@code name} is written. */
        public Path file(String name) {
            return job.outputDir().resolve(name);
        }
    }
}
