package dev.convoy.transcoder;

import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;

/** Which encoders the linked FFmpeg natives have, and how to set them up. */
public final class Codecs {

    public static final String X264 = "libx264";
    public static final String OPENH264 = "libopenh264";

    private static volatile String h264;

    private Codecs() {
    }

    /**
     * FFmpeg reports errors only: a damaged clip is refused with a reason of ours, and its decoder's
     * complaints are kept for diagnosis. {@code -Dconvoy.ffmpeg.logLevel=quiet} silences them (the
     * test suites do, where broken clips are made on purpose).
     */
    static void quietLogs() {
        avutil.av_log_set_level("quiet".equals(System.getProperty("convoy.ffmpeg.logLevel"))
                ? avutil.AV_LOG_QUIET : avutil.AV_LOG_ERROR);
    }

    /** libx264 with the GPL natives; libopenh264 with the default LGPL natives. */
    public static String h264Encoder() {
        String name = h264;
        if (name == null) {
            name = avcodec_find_encoder_by_name(X264) != null ? X264 : OPENH264;
            h264 = name;
        }
        return name;
    }

    static void tuneH264(FFmpegFrameRecorder recorder, String encoder, int videoBitrate) {
        if (X264.equals(encoder)) {
            recorder.setVideoOption("preset", "veryfast");
            recorder.setVideoOption("profile", "main");
            // Capped CRF: constant quality, with the spec's bitrate as a ceiling.
            recorder.setVideoOption("crf", "28");
            recorder.setVideoOption("maxrate", Integer.toString(videoBitrate * 3 / 2));
            recorder.setVideoOption("bufsize", Integer.toString(videoBitrate * 3));
        } else {
            recorder.setVideoOption("profile", "constrained_baseline");
            recorder.setVideoOption("rc_mode", "bitrate");
            recorder.setVideoOption("allow_skip_frames", "0");
        }
    }
}
