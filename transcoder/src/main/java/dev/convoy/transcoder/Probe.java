package dev.convoy.transcoder;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FrameGrabber;

/**
 * Opens a clip for decoding and reads its facts; refuses, before any decoding, what is not
 * a usable video or is larger than the limits.
 */
public final class Probe {

    static {
        Codecs.quietLogs();
    }

    private Probe() {
    }

    /** Probes a clip without decoding it (limits are not applied). */
    public static ProbeFacts probe(Path source) throws TranscodeException {
        FFmpegFrameGrabber grabber = open(source, 1);
        try {
            return facts(grabber);
        } finally {
            close(grabber);
        }
    }

    static FFmpegFrameGrabber open(Path source, int threads) throws TranscodeException {
        try {
            if (Files.size(source) == 0) {
                throw new TranscodeException("empty_file", "The uploaded file is empty.");
            }
        } catch (IOException e) {
            throw new TranscodeException("source_unreadable", "Cannot read " + source + ": " + e.getMessage(), e);
        }
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(source.toFile());
        return start(grabber, threads, () -> isIsoMedia(source));
    }

    /** Opens a clip still arriving, read front to back as it grows (FFmpeg is given no way to seek it). */
    static FFmpegFrameGrabber open(ArrivingSource arriving, int threads) throws TranscodeException {
        return start(new FFmpegFrameGrabber(arriving, 0), threads, () -> false);
    }

    private static FFmpegFrameGrabber start(FFmpegFrameGrabber grabber, int threads, BooleanSupplier isoMedia) throws TranscodeException {
        // Decode into the codecs' own YUV 4:2:0 layout: no BGR conversion of full frames.
        grabber.setPixelFormat(AV_PIX_FMT_YUV420P);
        grabber.setVideoOption("threads", Integer.toString(threads));
        try {
            grabber.start();
        } catch (FrameGrabber.Exception e) {
            close(grabber);
            if (isoMedia.getAsBoolean()) {
                throw new TranscodeException("truncated", "The file starts like an MP4/MOV but its index (moov) is missing "
                        + "or cut off; the upload or the camera's recording was probably interrupted.", e);
            }
            throw new TranscodeException("not_a_video", "The file could not be opened as a video: " + e.getMessage(), e);
        }
        if (grabber.getVideoStream() < 0 || grabber.getImageWidth() <= 0 || grabber.getImageHeight() <= 0) {
            close(grabber);
            throw new TranscodeException("no_video_stream", "The file has no video stream.");
        }
        return grabber;
    }

    /** Refuses a clip past the limits, from its probe facts alone. */
    static void check(ProbeFacts facts, RenditionSpec.ClipLimits limits) throws TranscodeException {
        int longSide = Math.max(facts.width(), facts.height());
        int shortSide = Math.min(facts.width(), facts.height());
        if (longSide > limits.maxLongSide() || shortSide > limits.maxShortSide()) {
            throw new TranscodeException("resolution_too_high", "The clip is " + facts.displayWidth() + "x" + facts.displayHeight()
                    + "; the largest accepted is " + limits.maxLongSide() + "x" + limits.maxShortSide() + ".");
        }
        if (facts.durationMs() > limits.maxDurationMs()) {
            throw RenditionPipeline.tooLong(facts.durationMs(), limits);
        }
        if (facts.fps() > limits.maxFps()) {
            throw new TranscodeException("frame_rate_too_high", String.format(Locale.ROOT,
                    "The clip runs at %.1f frames/s; the most accepted is %.0f.", facts.fps(), limits.maxFps()));
        }
    }

    static ProbeFacts facts(FFmpegFrameGrabber grabber) {
        boolean hasAudio = grabber.getAudioStream() >= 0 && grabber.getAudioChannels() > 0;
        AVStream stream = grabber.getFormatContext().streams(grabber.getVideoStream());
        AVCodecParameters par = stream.codecpar();
        BytePointer profileName = avcodec.avcodec_profile_name(par.codec_id(), par.profile());
        String profile = profileName == null || profileName.isNull() ? null : profileName.getString();
        double avg = rate(stream.avg_frame_rate());
        double real = rate(stream.r_frame_rate());
        double fps = avg > 0 ? avg : grabber.getFrameRate();
        // Containers state a nominal (r) and an average rate; they part when frame intervals vary.
        boolean variable = avg > 0 && real > 0 && Math.abs(avg - real) / real > 0.01;
        String creation = grabber.getMetadata("creation_time");
        return new ProbeFacts(
                grabber.getFormat(),
                grabber.getVideoCodecName(),
                profile,
                grabber.getImageWidth(),
                grabber.getImageHeight(),
                rotation(grabber),
                fps,
                variable,
                Math.max(0, grabber.getLengthInTime() / 1000),
                Math.max(0, grabber.getFormatContext().bit_rate()),
                hasAudio,
                hasAudio ? grabber.getAudioCodecName() : null,
                hasAudio ? grabber.getAudioChannels() : 0,
                creation == null || creation.isBlank() ? null : creation);
    }

    /** Clockwise degrees to turn the coded picture upright, from the stream's display matrix. */
    static int rotation(FFmpegFrameGrabber grabber) {
        double counterClockwise = grabber.getDisplayRotation();
        if (Double.isNaN(counterClockwise)) {
            return 0;
        }
        int clockwise = (int) Math.round(-counterClockwise / 90.0) * 90;
        return ((clockwise % 360) + 360) % 360;
    }

    private static double rate(AVRational r) {
        return r == null || r.den() == 0 ? 0 : (double) r.num() / r.den();
    }

    private static boolean isIsoMedia(Path source) {
        byte[] head = new byte[12];
        try (InputStream in = Files.newInputStream(source)) {
            if (in.readNBytes(head, 0, 12) < 12) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        String box = new String(head, 4, 4, StandardCharsets.US_ASCII);
        return box.equals("ftyp") || box.equals("mdat") || box.equals("free") || box.equals("wide");
    }

    static void close(FFmpegFrameGrabber grabber) {
        try {
            grabber.close();
        } catch (FrameGrabber.Exception ignored) {
            // Closing after a failure: nothing more to report.
        }
    }
}
