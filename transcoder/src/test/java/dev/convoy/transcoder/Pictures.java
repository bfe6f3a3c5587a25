package dev.convoy.transcoder;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY8;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

/** Reads back a picture file (JPEG, WebP, a video's first frame) as luma, for assertions. */
public record Pictures(int width, int height, byte[] luma) {

    public static Pictures read(Path file) throws Exception {
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile())) {
            grabber.setPixelFormat(AV_PIX_FMT_GRAY8);
            grabber.start();
            Frame frame = grabber.grabImage();
            int w = frame.imageWidth;
            int h = frame.imageHeight;
            byte[] luma = new byte[w * h];
            ByteBuffer buf = (ByteBuffer) frame.image[0];
            for (int y = 0; y < h; y++) {
                buf.get(y * frame.imageStride, luma, y * w, w);
            }
            return new Pictures(w, h, luma);
        }
    }

    /** Mean luma of the box from (x0, y0) to (x1, y1), as fractions of the picture. */
    public double mean(double x0, double y0, double x1, double y1) {
        long sum = 0;
        long n = 0;
        for (int y = (int) (y0 * height); y < (int) (y1 * height); y++) {
            for (int x = (int) (x0 * width); x < (int) (x1 * width); x++) {
                sum += luma[y * width + x] & 0xFF;
                n++;
            }
        }
        return (double) sum / n;
    }
}
