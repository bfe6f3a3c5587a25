package dev.convoy.transcoder;

import com.sun.management.OperatingSystemMXBean;
import dev.convoy.transcoder.TranscodeResult.Rendition;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.FrameRecorder;

/**
 * Makes every rendition of a clip from ONE decode of the source. The spec names the
 * {@link FrameSink}s (by default poster and thumbnails, storyboard, previews); each decoded
 * picture is placed on the clip's timeline once by a {@link FrameClock} and handed to every
 * sink, so this loop knows no rendition by name.
 *
 * <p>Frames are decoded straight into YUV 4:2:0 (the codecs' own layout) and each sink scales
 * from there: no BGR or Java2D image of a full-size frame is ever made. The clip is probed and
 * checked against the limits before anything is decoded.
 */
public final class RenditionPipeline {

    static {
        Codecs.quietLogs();
    }

    /** What a running pass reports as it goes. */
    public interface Progress {
        Progress NONE = new Progress() {
        };

        /** The clip was probed and passed the limits; decoding starts. */
        default void probed(long durationMs) {
        }

        /** Video frames decoded so far (called every 30 frames). */
        default void frames(long decoded) {
        }

        /**
         * Pictures made before the pass ends, for a clip still arriving: a first poster and
         * thumbnails as soon as a usable frame shows, then the final ones once their frame has
         * passed. The files stay where they are; the result names the final ones again.
         */
        default void stills(List<Rendition> made) {
        }
    }

    public TranscodeResult run(TranscodeJob job) throws TranscodeException {
        return run(job, Progress.NONE);
    }

    public TranscodeResult run(TranscodeJob job, Progress progress) throws TranscodeException {
        return run(job, progress, null);
    }

    /**
     * One pass over a clip whose upload may still be arriving: with {@code arriving} given, the
     * clip is read from it as it grows (see {@link ArrivingSource}) and the pass ends when the
     * upload does. Such a clip's container states no duration yet; the sinks go without it, and
     * the facts returned carry the duration its frames showed. A pass whose upload stalls or goes
     * away ends with {@link TranscodeException#isYield()}.
     */
    public TranscodeResult run(TranscodeJob job, Progress progress, ArrivingSource arriving) throws TranscodeException {
        try {
            return pass(job, progress, arriving);
        } catch (TranscodeException e) {
            throw arriving == null ? e : yieldIfStopped(arriving, e);
        }
    }

    /** The failure of a pass over an arriving clip: its upload's stall or departure when that is what stopped it. */
    private static TranscodeException yieldIfStopped(ArrivingSource arriving, TranscodeException e) {
        if (arriving.abandoned()) {
            return new TranscodeException(TranscodeException.ABANDONED, "The upload went away while it was read.", e);
        }
        if (arriving.stalled()) {
            return new TranscodeException(TranscodeException.STALLED,
                    "The upload sent nothing for a while; the clip is read again when it goes on.", e);
        }
        return e;
    }

    private TranscodeResult pass(TranscodeJob job, Progress progress, ArrivingSource arriving) throws TranscodeException {
        long wallStart = System.nanoTime();
        long cpuStart = processCpuNanos();
        RenditionSpec spec = job.spec();
        try {
            Files.createDirectories(job.outputDir());
        } catch (IOException e) {
            throw new TranscodeException("output_unwritable", "Cannot create " + job.outputDir() + ": " + e.getMessage(), e);
        }
        FFmpegFrameGrabber grabber = arriving == null ? Probe.open(job.source(), spec.threads()) : Probe.open(arriving, spec.threads());
        List<FrameSink> sinks = new ArrayList<>();
        try {
            ProbeFacts facts = arriving == null ? Probe.facts(grabber) : Probe.facts(grabber).arriving();
            Probe.check(facts, spec.limits());
            progress.probed(facts.durationMs());
            String encoder = Codecs.h264Encoder();
            FrameSink.Setup setup = new FrameSink.Setup(job, facts, grabber.getSampleRate(), encoder, arriving, progress);
            for (String name : spec.sinks()) {
                sinks.addAll(FrameSinks.named(name).open(setup));
            }

            FrameClock clock = new FrameClock();
            Frame frame;
            while ((frame = grabNext(grabber)) != null) {
                if (frame.image != null) {
                    long t = clock.place(frame.timestamp);
                    if (t == FrameClock.SKIP) {
                        continue;
                    }
                    if (clock.frames() % 30 == 0) {
                        progress.frames(clock.frames());
                    }
                    if (t / 1000 > spec.limits().maxDurationMs()) {
                        // A container may understate its duration, and one still arriving states none.
                        throw tooLong(t / 1000, spec.limits());
                    }
                    for (FrameSink sink : sinks) {
                        sink.accept(frame, t);
                    }
                } else if (frame.samples != null && facts.hasAudio()) {
                    for (FrameSink sink : sinks) {
                        sink.acceptAudio(frame);
                    }
                }
            }
            if (arriving != null && (arriving.stalled() || arriving.abandoned())) {
                // FFmpeg takes a read that gave up for the end of the stream: this pass did not see the clip's end.
                throw new TranscodeException("stopped", "The upload stopped while it was read.");
            }
            if (clock.frames() == 0) {
                throw new TranscodeException("corrupt_bitstream", "The clip's video stream holds no frame that could be decoded.");
            }
            long lastMs = clock.lastUs() / 1000;
            if (arriving != null) {
                facts = facts.measured(measuredDurationMs(clock.lastUs(), facts.fps()), arriving.position());
            }
            if (facts.durationMs() >= 2_000 && lastMs < facts.durationMs() / 2) {
                throw new TranscodeException("truncated", "The clip claims " + facts.durationMs() + " ms but its frames stop at "
                        + lastMs + " ms; the file was probably cut short. Upload the whole recording.");
            }
            facts = facts.withVariableFps(clock.variableFrameRate());

            List<Rendition> made = new ArrayList<>();
            for (FrameSink sink : sinks) {
                made.addAll(sink.finish());
            }
            long wallMs = (System.nanoTime() - wallStart) / 1_000_000;
            long cpuMs = (processCpuNanos() - cpuStart) / 1_000_000;
            return new TranscodeResult(facts, made, encoder, clock.frames(), wallMs, cpuMs);
        } catch (FrameRecorder.Exception e) {
            throw new TranscodeException("encode_failed", "Encoding a rendition failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new TranscodeException("output_unwritable", "Writing a rendition failed: " + e.getMessage(), e);
        } finally {
            for (FrameSink sink : sinks) {
                sink.close();
            }
            Probe.close(grabber);
        }
    }

    private static Frame grabNext(FFmpegFrameGrabber grabber) throws TranscodeException {
        try {
            return grabber.grab();
        } catch (FrameGrabber.Exception e) {
            throw new TranscodeException("corrupt_bitstream", "Reading the clip failed part-way: " + e.getMessage(), e);
        }
    }

    /** A clip's duration from its last frame's time: that frame lasts one frame interval too. */
    static long measuredDurationMs(long lastUs, double fps) {
        return lastUs / 1000 + (fps > 0 ? Math.round(1000 / fps) : 0);
    }

    static TranscodeException tooLong(long durationMs, RenditionSpec.ClipLimits limits) {
        return new TranscodeException("too_long", "The clip lasts " + durationMs / 1000 + " s; the longest accepted is "
                + limits.maxDurationMs() / 1000 + " s. Split long drives into shorter clips.");
    }

    static long posterTimeUs(long posterAtMs, long durationMs) {
        long atMs = posterAtMs >= 0 ? posterAtMs : durationMs / 2;
        // Stay clear of the very end, where the container's duration may exceed the last frame.
        long latest = Math.max(0, durationMs - 250);
        return Math.min(atMs, latest) * 1000;
    }

    private static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return 0;
    }
}
