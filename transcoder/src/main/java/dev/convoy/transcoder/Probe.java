package dev.convoy.transcoder;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FrameGrabber;

/** Opens a clip for decoding and reads its facts; refuses what is not a usable video. */
public final class Probe {

    static {
        Codecs.quietLogs();
    }

    private Probe() {
    }

    /** Probes a clip without decoding it. */
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
        } catch (java.io.IOException e) {
            throw new TranscodeException("source_unreadable", "Cannot read " + source + ": " + e.getMessage(), e);
        }
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(source.toFile());
        // Decode into the codecs' own YUV 4:2:0 layout: no BGR conversion of full frames.
        grabber.setPixelFormat(AV_PIX_FMT_YUV420P);
        grabber.setVideoOption("threads", Integer.toString(threads));
        try {
            grabber.start();
        } catch (FrameGrabber.Exception e) {
            close(grabber);
            throw new TranscodeException("not_a_video", "The file could not be opened as a video: " + e.getMessage(), e);
        }
        if (grabber.getVideoStream() < 0 || grabber.getImageWidth() <= 0 || grabber.getImageHeight() <= 0) {
            close(grabber);
            throw new TranscodeException("no_video_stream", "The file has no video stream.");
        }
        return grabber;
    }

    static ProbeFacts facts(FFmpegFrameGrabber grabber) {
        boolean hasAudio = grabber.getAudioStream() >= 0 && grabber.getAudioChannels() > 0;
        return new ProbeFacts(
                grabber.getFormat(),
                grabber.getVideoCodecName(),
                grabber.getImageWidth(),
                grabber.getImageHeight(),
                grabber.getVideoFrameRate() > 0 ? grabber.getVideoFrameRate() : grabber.getFrameRate(),
                Math.max(0, grabber.getLengthInTime() / 1000),
                hasAudio,
                hasAudio ? grabber.getAudioCodecName() : null,
                hasAudio ? grabber.getAudioChannels() : 0);
    }

    static void close(FFmpegFrameGrabber grabber) {
        try {
            grabber.close();
        } catch (FrameGrabber.Exception ignored) {
            // Closing after a failure: nothing more to report.
        }
    }
}
