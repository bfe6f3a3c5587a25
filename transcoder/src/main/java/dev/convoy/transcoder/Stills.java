package dev.convoy.transcoder;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;

import java.nio.file.Path;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;

/** Still images of one picture, encoded by FFmpeg (MJPEG, libwebp) at the picture's own size. */
final class Stills {

    private Stills() {
    }

    static void jpeg(Path file, Frame picture, int qscale) throws FrameRecorder.Exception {
        FFmpegFrameRecorder jpeg = new FFmpegFrameRecorder(file.toFile(), picture.imageWidth, picture.imageHeight, 0);
        jpeg.setFormat("mjpeg");
        jpeg.setVideoCodec(AV_CODEC_ID_MJPEG);
        jpeg.setPixelFormat(AV_PIX_FMT_YUVJ420P);
        jpeg.setVideoQuality(qscale);
        write(jpeg, picture);
    }

    static void webp(Path file, Frame picture, int quality) throws FrameRecorder.Exception {
        FFmpegFrameRecorder webp = new FFmpegFrameRecorder(file.toFile(), picture.imageWidth, picture.imageHeight, 0);
        webp.setFormat("webp");
        webp.setVideoCodecName("libwebp");
        webp.setPixelFormat(AV_PIX_FMT_YUV420P);
        webp.setVideoOption("quality", Integer.toString(quality));
        webp.setVideoOption("loop", "1");
        write(webp, picture);
    }

    private static void write(FFmpegFrameRecorder recorder, Frame picture) throws FrameRecorder.Exception {
        try {
            recorder.setFrameRate(1);
            recorder.start();
            recorder.record(picture, AV_PIX_FMT_YUV420P);
            recorder.stop();
        } finally {
            recorder.release();
        }
    }
}
