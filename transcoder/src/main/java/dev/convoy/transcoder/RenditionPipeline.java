package dev.convoy.transcoder;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AAC;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

import dev.convoy.transcoder.TranscodeResult.Rendition;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.FrameRecorder;

/**
 * Makes every rendition of a clip from ONE decode of the source: poster, thumbnails (JPEG and
 * WebP), storyboard (sprite + WebVTT) and the previews.
 *
 * <p>Frames are decoded straight into YUV 4:2:0 (the codecs' own layout) and each output
 * scales from there: no BGR or Java2D image of a full-size frame is ever made. An upright
 * source goes to the preview encoders as decoded (they scale); a rotated one is scaled first
 * and the small picture turned upright. Stills are taken from the same decoded stream as it
 * passes. The clip is probed and checked against the limits before anything is decoded.
 */
public final class RenditionPipeline {

    public static final String POSTER_FILE = "poster.jpg";
    public static final String THUMB_FILE = "thumb.jpg";
    public static final String THUMB_WEBP_FILE = "thumb.webp";
    private static final int WEBP_QUALITY = 75;

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
    }

    public TranscodeResult run(TranscodeJob job) throws TranscodeException {
        return run(job, Progress.NONE);
    }

    public TranscodeResult run(TranscodeJob job, Progress progress) throws TranscodeException {
        long wallStart = System.nanoTime();
        long cpuStart = processCpuNanos();
        RenditionSpec spec = job.spec();
        try {
            Files.createDirectories(job.outputDir());
        } catch (IOException e) {
            throw new TranscodeException("output_unwritable", "Cannot create " + job.outputDir() + ": " + e.getMessage(), e);
        }
        FFmpegFrameGrabber grabber = Probe.open(job.source(), spec.threads());
        List<Preview> previews = new ArrayList<>();
        Storyboard storyboard = null;
        try {
            ProbeFacts facts = Probe.facts(grabber);
            Probe.check(facts, spec.limits());
            progress.probed(facts.durationMs());
            String encoder = Codecs.h264Encoder();
            for (RenditionSpec.PreviewSpec p : spec.previews()) {
                previews.add(new Preview(p, facts, grabber, job.outputDir(), spec.threads(), encoder));
            }
            storyboard = Storyboard.plan(facts, spec);
            PosterPicker poster = new PosterPicker(job.posterAtMs(), facts.durationMs());

            long frames = 0;
            long originUs = Long.MIN_VALUE;
            long lastUs = Long.MIN_VALUE;
            long minStepUs = Long.MAX_VALUE;
            long maxStepUs = 0;
            Frame lastVideo = null;
            for (Preview p : previews) {
                p.start();
            }
            Frame frame;
            while ((frame = grabNext(grabber)) != null) {
                if (frame.image != null) {
                    if (originUs == Long.MIN_VALUE) {
                        originUs = frame.timestamp;
                    }
                    long t = frame.timestamp - originUs;
                    if (t <= lastUs) {
                        // A repeated or backwards timestamp (a damaged stretch): skip the frame.
                        continue;
                    }
                    if (lastUs != Long.MIN_VALUE) {
                        minStepUs = Math.min(minStepUs, t - lastUs);
                        maxStepUs = Math.max(maxStepUs, t - lastUs);
                    }
                    lastUs = t;
                    frames++;
                    if (frames % 30 == 0) {
                        progress.frames(frames);
                    }
                    poster.offer(frame, t);
                    if (storyboard != null) {
                        storyboard.offer(frame, t);
                    }
                    for (Preview p : previews) {
                        p.video(frame, t);
                    }
                    lastVideo = frame;
                } else if (frame.samples != null && facts.hasAudio()) {
                    for (Preview p : previews) {
                        p.audio(frame);
                    }
                }
            }
            if (frames == 0) {
                throw new TranscodeException("corrupt_bitstream", "The clip's video stream holds no frame that could be decoded.");
            }
            if (facts.durationMs() >= 2_000 && lastUs / 1000 < facts.durationMs() / 2) {
                throw new TranscodeException("truncated", "The clip claims " + facts.durationMs() + " ms but its frames stop at "
                        + lastUs / 1000 + " ms; the file was probably cut short. Upload the whole recording.");
            }
            poster.offerLast(lastVideo);
            // Frame intervals that differ by more than a millisecond and a half: variable frame rate.
            facts = facts.withVariableFps(frames > 2 && maxStepUs - minStepUs > 1_500);

            List<Rendition> made = new ArrayList<>(stills(job.outputDir(), poster.picked(), facts, spec));
            if (storyboard != null && storyboard.taken() > 0) {
                Path sprite = job.outputDir().resolve(Storyboard.SPRITE_FILE);
                Path vtt = job.outputDir().resolve(Storyboard.VTT_FILE);
                storyboard.write(sprite, vtt, spec.posterQuality() + 2);
                Dimensions spriteSize = storyboard.spriteSize();
                made.add(new Rendition(TranscodeResult.STORYBOARD, sprite, "image/jpeg", spriteSize.width(), spriteSize.height()));
                made.add(new Rendition(TranscodeResult.STORYBOARD_VTT, vtt, "text/vtt", 0, 0));
            }
            for (Preview p : previews) {
                made.add(p.finish());
            }
            long wallMs = (System.nanoTime() - wallStart) / 1_000_000;
            long cpuMs = (processCpuNanos() - cpuStart) / 1_000_000;
            return new TranscodeResult(facts, made, encoder, frames, wallMs, cpuMs);
        } catch (FrameRecorder.Exception e) {
            throw new TranscodeException("encode_failed", "Encoding a rendition failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new TranscodeException("output_unwritable", "Writing a rendition failed: " + e.getMessage(), e);
        } finally {
            for (Preview p : previews) {
                p.release();
            }
            if (storyboard != null) {
                storyboard.close();
            }
            Probe.close(grabber);
        }
    }

    /** Poster (spec width) and thumbnails (JPEG and WebP), all from the one picked frame, upright. */
    private static List<Rendition> stills(Path dir, Frame picked, ProbeFacts facts, RenditionSpec spec)
            throws FrameRecorder.Exception {
        Dimensions posterSize = Dimensions.width(facts.displayWidth(), facts.displayHeight(), spec.posterWidth());
        Dimensions thumbSize = Dimensions.width(facts.displayWidth(), facts.displayHeight(), spec.thumbWidth());
        Path posterFile = dir.resolve(POSTER_FILE);
        Path thumbFile = dir.resolve(THUMB_FILE);
        Path webpFile = dir.resolve(THUMB_WEBP_FILE);
        try (Yuv420.Upright toPoster = new Yuv420.Upright(posterSize, facts.rotation());
             Yuv420.Upright toThumb = new Yuv420.Upright(thumbSize, 0)) {
            Frame poster = toPoster.apply(picked);
            Stills.jpeg(posterFile, poster, spec.posterQuality());
            Frame thumb = toThumb.apply(poster);
            Stills.jpeg(thumbFile, thumb, spec.posterQuality());
            Stills.webp(webpFile, thumb, WEBP_QUALITY);
        }
        return List.of(
                new Rendition(TranscodeResult.POSTER, posterFile, "image/jpeg", posterSize.width(), posterSize.height()),
                new Rendition(TranscodeResult.THUMBNAIL, thumbFile, "image/jpeg", thumbSize.width(), thumbSize.height()),
                new Rendition(TranscodeResult.THUMBNAIL_WEBP, webpFile, "image/webp", thumbSize.width(), thumbSize.height()));
    }

    private static Frame grabNext(FFmpegFrameGrabber grabber) throws TranscodeException {
        try {
            return grabber.grab();
        } catch (FrameGrabber.Exception e) {
            throw new TranscodeException("corrupt_bitstream", "Reading the clip failed part-way: " + e.getMessage(), e);
        }
    }

    static long posterTimeUs(long posterAtMs, long durationMs) {
        long atMs = posterAtMs >= 0 ? posterAtMs : durationMs / 2;
        // Stay clear of the very end, where the container's duration may exceed the last frame.
        long latest = Math.max(0, durationMs - 250);
        return Math.min(atMs, latest) * 1000;
    }

    /** One preview video being encoded as the frames pass. */
    private static final class Preview {
        private final RenditionSpec.PreviewSpec spec;
        private final Path file;
        private final Dimensions size;
        private final double fps;
        private final boolean audio;
        private final FFmpegFrameRecorder recorder;
        private final Yuv420.Upright upright;

        Preview(RenditionSpec.PreviewSpec spec, ProbeFacts facts, FFmpegFrameGrabber grabber, Path dir, int threads,
                String encoder) {
            this.spec = spec;
            this.file = dir.resolve(spec.fileName());
            this.size = Dimensions.shortSide(facts.displayWidth(), facts.displayHeight(), spec.height());
            this.fps = Math.min(facts.fps() > 0 ? facts.fps() : spec.maxFps(), spec.maxFps());
            this.audio = facts.hasAudio();
            // Upright sources go to the encoder as decoded (it scales); rotated ones are scaled and turned first.
            this.upright = facts.rotation() == 0 ? null : new Yuv420.Upright(size, facts.rotation());
            recorder = new FFmpegFrameRecorder(file.toFile(), size.width(), size.height(), audio ? spec.audioChannels() : 0);
            recorder.setFormat("mp4");
            recorder.setOption("movflags", "+faststart");
            recorder.setVideoCodecName(encoder);
            recorder.setPixelFormat(AV_PIX_FMT_YUV420P);
            recorder.setFrameRate(fps);
            recorder.setGopSize((int) Math.round(fps * 2));
            recorder.setVideoBitrate(spec.videoBitrate());
            recorder.setVideoOption("threads", Integer.toString(threads));
            Codecs.tuneH264(recorder, encoder, spec.videoBitrate());
            if (audio) {
                recorder.setAudioCodec(AV_CODEC_ID_AAC);
                recorder.setAudioBitrate(spec.audioBitrate());
                recorder.setSampleRate(grabber.getSampleRate() > 0 ? grabber.getSampleRate() : 48_000);
            }
        }

        void start() throws FrameRecorder.Exception {
            recorder.start();
        }

        void video(Frame frame, long tUs) throws FrameRecorder.Exception {
            // Frame numbers follow timestamps: this caps the frame rate and keeps VFR timing.
            long frameNumber = Math.round(tUs * fps / 1_000_000.0);
            if (frameNumber < recorder.getFrameNumber()) {
                return;
            }
            recorder.setFrameNumber((int) frameNumber);
            recorder.record(upright == null ? frame : upright.apply(frame), AV_PIX_FMT_YUV420P);
        }

        void audio(Frame frame) throws FrameRecorder.Exception {
            recorder.record(frame);
        }

        Rendition finish() throws FrameRecorder.Exception {
            recorder.stop();
            return new Rendition(spec.name(), file, "video/mp4", size.width(), size.height());
        }

        void release() {
            try {
                recorder.release();
            } catch (FrameRecorder.Exception ignored) {
                // Releasing after a failure: the failure is what gets reported.
            }
            if (upright != null) {
                upright.close();
            }
        }
    }

    private static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return 0;
    }
}
