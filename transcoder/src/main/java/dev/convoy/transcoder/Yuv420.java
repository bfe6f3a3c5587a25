package dev.convoy.transcoder;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;

import java.nio.Buffer;
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
        frame.image = new Buffer[] {ByteBuffer.allocateDirect(size(width, height))};
        return frame;
    }

    static ByteBuffer bytes(Frame frame) {
        return (ByteBuffer) frame.image[0];
    }

    /** A copy that outlives the grabber's reuse of its frame. */
    static Frame copy(Frame src) {
        Frame dst = allocate(src.imageStride, src.imageHeight);
        dst.imageWidth = src.imageWidth;
        copyInto(src, dst);
        return dst;
    }

    /** Copies {@code src} over {@code dst}, a picture of the same size and stride. */
    static void copyInto(Frame src, Frame dst) {
        ByteBuffer from = bytes(src).duplicate();
        from.position(0).limit(size(src.imageStride, src.imageHeight));
        bytes(dst).clear();
        bytes(dst).put(from).flip();
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
            planes(new BytePointer(bytes(out)).position(0), dstHeight, dstWidth, dstData, dstLines);
        }

        /** The scaled picture; valid until the next call. */
        Frame scale(Frame src) {
            int w = src.imageWidth;
            int h = src.imageHeight;
            context = sws_getCachedContext(context, w, h, AV_PIX_FMT_YUV420P, dstWidth, dstHeight, AV_PIX_FMT_YUV420P,
                    SWS_BILINEAR, null, null, (DoublePointer) null);
            planes(new BytePointer(bytes(src)).position(0), h, src.imageStride, srcData, srcLines);
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
    private static void planes(BytePointer base, int height, int stride,
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

    /**
     * Scales a decoded picture and turns it upright in one step: the scaler makes the picture
     * at the size that, once turned by {@code rotation}, is {@code size}. Output buffers and
     * the rotation's work arrays are reused, so nothing is allocated per frame.
     */
    static final class Upright implements AutoCloseable {
        private final int rotation;
        private final Scaler scaler;
        private final Frame turned;
        private byte[] in = new byte[0];
        private byte[] out = new byte[0];

        Upright(Dimensions size, int rotation) {
            this.rotation = rotation;
            boolean swap = rotation == 90 || rotation == 270;
            this.scaler = new Scaler(swap ? size.height() : size.width(), swap ? size.width() : size.height());
            this.turned = rotation == 0 ? null : allocate(size.width(), size.height());
        }

        /** The upright picture; valid until the next call. */
        Frame apply(Frame src) {
            Frame scaled = scaler.scale(src);
            if (rotation == 0) {
                return scaled;
            }
            int w = scaled.imageWidth;
            int h = scaled.imageHeight;
            int cw = chromaWidth(w);
            int ch = chromaHeight(h);
            int ySize = w * h;
            int cSize = cw * ch;
            int outCSize = chromaWidth(turned.imageWidth) * chromaHeight(turned.imageHeight);
            rotatePlane(bytes(scaled), 0, w, h, bytes(turned), 0);
            rotatePlane(bytes(scaled), ySize, cw, ch, bytes(turned), ySize);
            rotatePlane(bytes(scaled), ySize + cSize, cw, ch, bytes(turned), ySize + outCSize);
            return turned;
        }

        /** Turns one plane of {@code w} x {@code h} (no row padding) clockwise by the rotation. */
        private void rotatePlane(ByteBuffer from, int fromOffset, int w, int h, ByteBuffer to, int toOffset) {
            int n = w * h;
            if (in.length < n) {
                in = new byte[n];
                out = new byte[n];
            }
            from.get(fromOffset, in, 0, n);
            switch (rotation) {
                case 90 -> {
                    // Output is h wide, w tall: source row y becomes output column h-1-y.
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            out[x * h + (h - 1 - y)] = in[y * w + x];
                        }
                    }
                }
                case 180 -> {
                    for (int i = 0; i < n; i++) {
                        out[n - 1 - i] = in[i];
                    }
                }
                case 270 -> {
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            out[(w - 1 - x) * h + y] = in[y * w + x];
                        }
                    }
                }
                default -> throw new IllegalArgumentException("rotation " + rotation);
            }
            to.put(toOffset, out, 0, n);
        }

        @Override
        public void close() {
            scaler.close();
        }
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
