package dev.convoy.transcoder;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AAC;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.FrameRecorder;

/**
 * Makes every rendition of a clip from ONE decode of the source.
 *
 * <p>Frames are decoded straight into YUV 4:2:0 (the codecs' own layout), and each
 * encoder scales from there: no BGR or Java2D image of a full-size frame is ever made.
 * The poster is taken from the same decoded stream when it reaches the poster time.
 */
public final class RenditionPipeline {

    public static final String POSTER_FILE = "poster.jpg";
    public static final String PREVIEW_FILE = "preview.mp4";

    static {
        Codecs.quietLogs();
    }

    public TranscodeResult run(TranscodeJob job) throws TranscodeException {
        long wallStart = System.nanoTime();
        long cpuStart = processCpuNanos();
        RenditionSpec spec = job.spec();
        try {
            Files.createDirectories(job.outputDir());
        } catch (IOException e) {
            throw new TranscodeException("output_unwritable", "Cannot create " + job.outputDir() + ": " + e.getMessage(), e);
        }
        Path posterFile = job.outputDir().resolve(POSTER_FILE);
        Path previewFile = job.outputDir().resolve(PREVIEW_FILE);

        FFmpegFrameGrabber grabber = Probe.open(job.source(), spec.threads());
        try {
            ProbeFacts facts = Probe.facts(grabber);
            Dimensions preview = Dimensions.shortSide(facts.width(), facts.height(), spec.previewHeight());
            Dimensions poster = Dimensions.width(facts.width(), facts.height(), spec.posterWidth());
            double outFps = Math.min(facts.fps() > 0 ? facts.fps() : spec.previewMaxFps(), spec.previewMaxFps());
            long posterAtUs = posterTimeUs(job.posterAtMs(), facts.durationMs());

            String encoder = Codecs.h264Encoder();
            FFmpegFrameRecorder recorder = previewRecorder(previewFile, preview, outFps, facts, grabber, spec, encoder);
            long frames = 0;
            boolean posterWritten = false;
            long originUs = Long.MIN_VALUE;
            Frame lastVideo = null;
            try {
                recorder.start();
                Frame frame;
                while ((frame = grabNext(grabber)) != null) {
                    if (frame.image != null) {
                        frames++;
                        if (originUs == Long.MIN_VALUE) {
                            originUs = frame.timestamp;
                        }
                        long t = frame.timestamp - originUs;
                        if (!posterWritten && t >= posterAtUs) {
                            writePoster(posterFile, poster, frame, spec);
                            posterWritten = true;
                        }
                        // Frame numbers follow timestamps: this caps the frame rate and keeps VFR timing.
                        long frameNumber = Math.round(t * outFps / 1_000_000.0);
                        if (frameNumber >= recorder.getFrameNumber()) {
                            recorder.setFrameNumber((int) frameNumber);
                            recorder.record(frame, AV_PIX_FMT_YUV420P);
                        }
                        lastVideo = frame;
                    } else if (frame.samples != null && facts.hasAudio()) {
                        recorder.record(frame);
                    }
                }
                if (frames == 0) {
                    throw new TranscodeException("no_video_frames", "The clip has a video stream but no frame could be decoded.");
                }
                if (!posterWritten) {
                    // The container claimed a longer duration than the frames it holds.
                    writePoster(posterFile, poster, lastVideo, spec);
                }
                recorder.stop();
            } finally {
                recorder.release();
            }
            long wallMs = (System.nanoTime() - wallStart) / 1_000_000;
            long cpuMs = (processCpuNanos() - cpuStart) / 1_000_000;
            return new TranscodeResult(facts, posterFile, poster.width(), poster.height(), previewFile,
                    preview.width(), preview.height(), encoder, frames, wallMs, cpuMs);
        } catch (FrameRecorder.Exception e) {
            throw new TranscodeException("encode_failed", "Encoding a rendition failed: " + e.getMessage(), e);
        } finally {
            Probe.close(grabber);
        }
    }

    private static Frame grabNext(FFmpegFrameGrabber grabber) throws TranscodeException {
        try {
            return grabber.grab();
        } catch (FrameGrabber.Exception e) {
            throw new TranscodeException("decode_failed", "Decoding the clip failed: " + e.getMessage(), e);
        }
    }

    static long posterTimeUs(long posterAtMs, long durationMs) {
        long atMs = posterAtMs >= 0 ? posterAtMs : durationMs / 2;
        // Stay clear of the very end, where the container's duration may exceed the last frame.
        long latest = Math.max(0, durationMs - 250);
        return Math.min(atMs, latest) * 1000;
    }

    private static FFmpegFrameRecorder previewRecorder(Path file, Dimensions size, double fps, ProbeFacts facts,
                                                       FFmpegFrameGrabber grabber, RenditionSpec spec, String encoder) {
        FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), size.width(), size.height(),
                facts.hasAudio() ? Math.min(2, Math.max(1, facts.audioChannels())) : 0);
        recorder.setFormat("mp4");
        recorder.setOption("movflags", "+faststart");
        recorder.setVideoCodecName(encoder);
        recorder.setPixelFormat(AV_PIX_FMT_YUV420P);
        recorder.setFrameRate(fps);
        recorder.setGopSize((int) Math.round(fps * 2));
        recorder.setVideoBitrate(spec.previewVideoBitrate());
        recorder.setVideoOption("threads", Integer.toString(spec.threads()));
        Codecs.tuneH264(recorder, encoder, spec);
        if (facts.hasAudio()) {
            recorder.setAudioCodec(AV_CODEC_ID_AAC);
            recorder.setAudioBitrate(spec.previewAudioBitrate());
            recorder.setSampleRate(grabber.getSampleRate() > 0 ? grabber.getSampleRate() : 48_000);
        }
        return recorder;
    }

    private static void writePoster(Path file, Dimensions size, Frame frame, RenditionSpec spec)
            throws FrameRecorder.Exception {
        FFmpegFrameRecorder jpeg = new FFmpegFrameRecorder(file.toFile(), size.width(), size.height(), 0);
        try {
            jpeg.setFormat("mjpeg");
            jpeg.setVideoCodec(AV_CODEC_ID_MJPEG);
            jpeg.setPixelFormat(AV_PIX_FMT_YUVJ420P);
            jpeg.setFrameRate(1);
            jpeg.setVideoQuality(spec.posterQuality());
            jpeg.start();
            jpeg.record(frame, AV_PIX_FMT_YUV420P);
            jpeg.stop();
        } finally {
            jpeg.release();
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
