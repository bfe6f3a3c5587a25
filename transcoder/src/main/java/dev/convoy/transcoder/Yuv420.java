package dev.convoy.transcoder;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;

import java.nio.ByteBuffer;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacv.Frame;

/**
 * Pictures in planar YUV 4:2:0 laid out as the grabber and recorder expect: the three planes
 * back to back in one buffer, rows without padding (Y rows {@code width} bytes, chroma rows
 * {@code (width + 1) / 2}). Scaling uses swscale; rotation, tiling and statistics are plain
 * loops over planes that are small by then (previews, tiles), never over a full source frame
 * except the sampled statistics.
 */
final class Yuv420 {

    private Yuv420() {
    }

    static int chromaWidth(int width) {
        return (width + 1) / 2;
    }

    static int chromaHeight(int height) {
        return (height + 1) / 2;
    }

    static int size(int width, int height) {
        return width * height + 2 * chromaWidth(width) * chromaHeight(height);
    }

    /** A new picture; the buffer is direct so that native code reads it without a copy. */
    static Frame allocate(int width, int height) {
        Frame frame = new Frame();
        frame.imageWidth = width;
        frame.imageHeight = height;
        frame.imageDepth = Frame.DEPTH_UBYTE;
        frame.imageChannels = 1;
        frame.imageStride = width;
        frame.image = new java.nio.Buffer[] {ByteBuffer.allocateDirect(size(width, height))};
        return frame;
    }

    static ByteBuffer bytes(Frame frame) {
        return (ByteBuffer) frame.image[0];
    }

    /** A copy that outlives the grabber's reuse of its frame. */
    static Frame copy(Frame src) {
        Frame dst = allocate(src.imageStride, src.imageHeight);
        dst.imageWidth = src.imageWidth;
        ByteBuffer from = bytes(src).duplicate();
        from.position(0).limit(size(src.imageStride, src.imageHeight));
        bytes(dst).put(from).flip();
        return dst;
    }

    /** Scales pictures of one size to another, reusing its context and output buffer. */
    static final class Scaler implements AutoCloseable {
        private final int dstWidth;
        private final int dstHeight;
        private final Frame out;
        private SwsContext context;
        private final PointerPointer<BytePointer> srcData = new PointerPointer<>(4);
        private final IntPointer srcLines = new IntPointer(4);
        private final PointerPointer<BytePointer> dstData = new PointerPointer<>(4);
        private final IntPointer dstLines = new IntPointer(4);

        Scaler(int dstWidth, int dstHeight) {
            this.dstWidth = dstWidth;
            this.dstHeight = dstHeight;
            this.out = allocate(dstWidth, dstHeight);
        }

        /** The scaled picture; valid until the next call. */
        Frame scale(Frame src) {
            int w = src.imageWidth;
            int h = src.imageHeight;
            context = sws_getCachedContext(context, w, h, AV_PIX_FMT_YUV420P, dstWidth, dstHeight, AV_PIX_FMT_YUV420P,
                    SWS_BILINEAR, null, null, (DoublePointer) null);
            planes(new BytePointer(bytes(src)).position(0), w, h, src.imageStride, srcData, srcLines);
            planes(new BytePointer(bytes(out)).position(0), dstWidth, dstHeight, dstWidth, dstData, dstLines);
            sws_scale(context, srcData, srcLines, 0, h, dstData, dstLines);
            return out;
        }

        @Override
        public void close() {
            if (context != null) {
                sws_freeContext(context);
                context = null;
            }
            // Native arrays are freed now, not whenever the garbage collector gets to them.
            srcData.close();
            srcLines.close();
            dstData.close();
            dstLines.close();
        }
    }

    /** Points {@code data}/{@code lines} at the planes of a picture laid out as described above. */
    private static void planes(BytePointer base, int width, int height, int stride,
                               PointerPointer<BytePointer> data, IntPointer lines) {
        int cw = chromaWidth(stride);
        long ySize = (long) stride * height;
        long cSize = (long) cw * chromaHeight(height);
        data.put(0, new BytePointer(base).position(0));
        data.put(1, new BytePointer(base).position(ySize));
        data.put(2, new BytePointer(base).position(ySize + cSize));
        data.put(3, (BytePointer) null);
        lines.put(0, stride).put(1, cw).put(2, cw).put(3, 0);
    }

    /** Rotates clockwise by {@code degrees} (90, 180 or 270) into a new picture. */
    static Frame rotate(Frame src, int degrees) {
        int w = src.imageWidth;
        int h = src.imageHeight;
        boolean swap = degrees == 90 || degrees == 270;
        Frame dst = allocate(swap ? h : w, swap ? w : h);
        ByteBuffer in = bytes(src);
        ByteBuffer out = bytes(dst);
        int cw = chromaWidth(w);
        int ch = chromaHeight(h);
        rotatePlane(in, 0, w, h, src.imageStride, out, 0, degrees);
        int ySize = src.imageStride * h;
        int outYSize = dst.imageWidth * dst.imageHeight;
        int cSize = chromaWidth(src.imageStride) * ch;
        int outCSize = chromaWidth(dst.imageWidth) * chromaHeight(dst.imageHeight);
        rotatePlane(in, ySize, cw, ch, chromaWidth(src.imageStride), out, outYSize, degrees);
        rotatePlane(in, ySize + cSize, cw, ch, chromaWidth(src.imageStride), out, outYSize + outCSize, degrees);
        return dst;
    }

    private static void rotatePlane(ByteBuffer in, int inOffset, int w, int h, int stride,
                                    ByteBuffer out, int outOffset, int degrees) {
        byte[] src = new byte[w * h];
        for (int y = 0; y < h; y++) {
            in.get(inOffset + y * stride, src, y * w, w);
        }
        byte[] dst = new byte[w * h];
        switch (degrees) {
            case 90 -> {
                // Output is h wide, w tall: source row y becomes output column h-1-y.
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        dst[x * h + (h - 1 - y)] = src[y * w + x];
                    }
                }
            }
            case 180 -> {
                for (int i = 0, n = w * h; i < n; i++) {
                    dst[n - 1 - i] = src[i];
                }
            }
            case 270 -> {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        dst[(w - 1 - x) * h + y] = src[y * w + x];
                    }
                }
            }
            default -> throw new IllegalArgumentException("rotation " + degrees);
        }
        out.put(outOffset, dst, 0, dst.length);
    }

    /** Copies {@code tile} into {@code canvas} with its top-left corner at (x, y); x and y even. */
    static void blit(Frame tile, Frame canvas, int x, int y) {
        ByteBuffer in = bytes(tile);
        ByteBuffer out = bytes(canvas);
        int tw = tile.imageWidth;
        int th = tile.imageHeight;
        int cw = canvas.imageWidth;
        int chh = canvas.imageHeight;
        copyPlane(in, 0, tw, th, tile.imageStride, out, 0, cw, x, y);
        int tY = tile.imageStride * th;
        int tC = chromaWidth(tile.imageStride) * chromaHeight(th);
        int cY = cw * chh;
        int cC = chromaWidth(cw) * chromaHeight(chh);
        copyPlane(in, tY, chromaWidth(tw), chromaHeight(th), chromaWidth(tile.imageStride), out, cY, chromaWidth(cw), x / 2, y / 2);
        copyPlane(in, tY + tC, chromaWidth(tw), chromaHeight(th), chromaWidth(tile.imageStride), out, cY + cC, chromaWidth(cw),
                x / 2, y / 2);
    }

    private static void copyPlane(ByteBuffer in, int inOffset, int w, int h, int inStride,
                                  ByteBuffer out, int outOffset, int outStride, int x, int y) {
        byte[] row = new byte[w];
        for (int r = 0; r < h; r++) {
            in.get(inOffset + r * inStride, row, 0, w);
            out.put(outOffset + (y + r) * outStride + x, row, 0, w);
        }
    }

    /** Fills a picture with black (Y 16, chroma 128: video range). */
    static void black(Frame frame) {
        ByteBuffer buf = bytes(frame);
        int ySize = frame.imageStride * frame.imageHeight;
        int total = size(frame.imageStride, frame.imageHeight);
        for (int i = 0; i < total; i++) {
            buf.put(i, (byte) (i < ySize ? 16 : 128));
        }
    }

    /**
     * Mean and standard deviation of luma over a grid of samples (every 8th pixel of every
     * 8th row): enough to tell a black or flat frame from a picture, at 1/64 of the cost.
     */
    static double[] lumaStats(Frame frame) {
        ByteBuffer buf = bytes(frame);
        long n = 0;
        double sum = 0;
        double sumSq = 0;
        for (int y = 0; y < frame.imageHeight; y += 8) {
            int row = y * frame.imageStride;
            for (int x = 0; x < frame.imageWidth; x += 8) {
                int v = buf.get(row + x) & 0xFF;
                sum += v;
                sumSq += (double) v * v;
                n++;
            }
        }
        double mean = n == 0 ? 0 : sum / n;
        double variance = n == 0 ? 0 : Math.max(0, sumSq / n - mean * mean);
        return new double[] {mean, Math.sqrt(variance)};
    }
}
