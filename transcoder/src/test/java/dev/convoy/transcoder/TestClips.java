package dev.convoy.transcoder;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AAC;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;

/**
 * Generates test clips with JavaCV: moving shapes over a drifting gradient with film-grain
 * noise, so that decoding costs about what real dash-cam footage costs.
 *
 * <p>Clips are cached under {@code target/test-clips} (keyed by their parameters), so the
 * modules' test runs generate each one once.
 */
public final class TestClips {

    /**
     * A clip to generate.
     *
     * @param format   FFmpeg muxer: {@code mp4} (moov at the end, as cameras write it), {@code mov},
     *                 {@code mpegts}, {@code matroska}; or {@code faststart} (MP4, moov first) or
     *                 {@code fmp4} (fragmented MP4, a fragment per keyframe)
     * @param codec    encoder name; null for the build's H.264 encoder
     * @param rotation clockwise display rotation written to the container (0, 90, 180, 270)
     * @param vfr      frame intervals alternate between short and long (variable frame rate)
     * @param bframes  B-frames between references (encoders that have them)
     */
    public record Spec(int width, int height, double fps, double seconds, int bitrate, boolean audio,
                       String format, String codec, int rotation, boolean vfr, int bframes, boolean blackMiddle) {

        public static Spec fullHd(double seconds, boolean audio) {
            return new Spec(1920, 1080, 30, seconds, 12_000_000, audio, "mp4", null, 0, false, 0, false);
        }

        /** A small, quick clip for format and shape tests. */
        public static Spec small(int width, int height, double seconds) {
            return new Spec(width, height, 30, seconds, 1_500_000, false, "mp4", null, 0, false, 0, false);
        }

        public Spec withAudio() {
            return new Spec(width, height, fps, seconds, bitrate, true, format, codec, rotation, vfr, bframes, blackMiddle);
        }

        public Spec withFormat(String format) {
            return new Spec(width, height, fps, seconds, bitrate, audio, format, codec, rotation, vfr, bframes, blackMiddle);
        }

        public Spec withCodec(String codec, int bframes) {
            return new Spec(width, height, fps, seconds, bitrate, audio, format, codec, rotation, vfr, bframes, blackMiddle);
        }

        public Spec withRotation(int rotation) {
            return new Spec(width, height, fps, seconds, bitrate, audio, format, codec, rotation, vfr, bframes, blackMiddle);
        }

        public Spec withFps(double fps) {
            return new Spec(width, height, fps, seconds, bitrate, audio, format, codec, rotation, vfr, bframes, blackMiddle);
        }

        public Spec withVfr() {
            return new Spec(width, height, fps, seconds, bitrate, audio, format, codec, rotation, true, bframes, blackMiddle);
        }

        /** Frames from 30% to 70% of the clip are black (a tunnel, a covered lens). */
        public Spec withBlackMiddle() {
            return new Spec(width, height, fps, seconds, bitrate, audio, format, codec, rotation, vfr, bframes, true);
        }

        String encoder() {
            return codec != null ? codec : Codecs.h264Encoder();
        }

        String extension() {
            return switch (format) {
                case "mpegts" -> "ts";
                case "matroska" -> "mkv";
                case "faststart" -> "fast.mp4";
                case "fmp4" -> "frag.mp4";
                default -> format;
            };
        }

        String fileName() {
            return String.format(Locale.ROOT, "clip-%dx%d-%sfps-%ss-%dk-%s-%s-r%d%s-b%d.%s", width, height, fps, seconds,
                    bitrate / 1000, audio ? "audio" : "silent", encoder(), rotation, vfr ? "-vfr" : "", bframes, extension()).replace("." + extension(), (blackMiddle ? "-black" : "") + "." + extension());
        }
    }

    private TestClips() {
    }

    /** The 10 s 1080p30 12 Mbit/s clip with audio used across the test suites. */
    public static Path fullHdWithAudio() {
        return get(Spec.fullHd(10, true));
    }

    public static Path fullHdSilent() {
        return get(Spec.fullHd(10, false));
    }

    public static synchronized Path get(Spec spec) {
        Path dir = cacheDir();
        Path file = dir.resolve(spec.fileName());
        if (Files.isRegularFile(file)) {
            return file;
        }
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "gen-", "." + spec.extension());
            generate(spec, tmp);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path cacheDir() {
        String configured = System.getProperty("convoy.testClips");
        if (configured != null) {
            return Path.of(configured);
        }
        // Surefire runs each module from its own folder: share the cache at the build root.
        Path cwd = Path.of("").toAbsolutePath();
        Path root = Files.isRegularFile(cwd.resolve("../pom.xml")) && Files.isDirectory(cwd.resolve("../transcoder"))
                ? cwd.getParent() : cwd;
        return root.resolve("target").resolve("test-clips");
    }

    public static void generate(Spec spec, Path out) throws FrameRecorder.Exception {
        int w = spec.width();
        int h = spec.height();
        FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(out.toFile(), w, h, spec.audio() ? 1 : 0);
        switch (spec.format()) {
            case "faststart" -> {
                recorder.setFormat("mp4");
                recorder.setOption("movflags", "+faststart");
            }
            case "fmp4" -> {
                recorder.setFormat("mp4");
                recorder.setOption("movflags", "+frag_keyframe+empty_moov+default_base_moof");
            }
            default -> recorder.setFormat(spec.format());
        }
        recorder.setVideoCodecName(spec.encoder());
        recorder.setPixelFormat(AV_PIX_FMT_YUV420P);
        // VFR: a fine time base (3x the nominal rate) with frames placed 2 and 4 ticks apart.
        double timeBaseFps = spec.vfr() ? spec.fps() * 3 : spec.fps();
        recorder.setFrameRate(timeBaseFps);
        recorder.setGopSize((int) Math.round(spec.fps() * 2));
        recorder.setVideoBitrate(spec.bitrate());
        recorder.setVideoOption("threads", Integer.toString(Runtime.getRuntime().availableProcessors()));
        if (spec.encoder().equals(Codecs.X264) || spec.encoder().equals("libx265")) {
            recorder.setVideoOption("preset", "ultrafast");
            recorder.setMaxBFrames(spec.bframes());
            if (spec.encoder().equals("libx265")) {
                recorder.setVideoOption("x265-params", "log-level=error:bframes=" + spec.bframes());
            }
        }
        if (spec.rotation() != 0) {
            // The display matrix holds a counter-clockwise angle (a phone's "rotate=90" is -90 there).
            recorder.setDisplayRotation(-spec.rotation());
        }
        int sampleRate = 48_000;
        if (spec.audio()) {
            recorder.setAudioCodec(AV_CODEC_ID_AAC);
            recorder.setSampleRate(sampleRate);
            recorder.setAudioBitrate(96_000);
        }
        int frames = (int) Math.round(spec.seconds() * spec.fps());
        int lumaSize = w * h;
        int chromaW = w / 2;
        int chromaH = h / 2;
        ByteBuffer yuv = ByteBuffer.allocateDirect(lumaSize + 2 * chromaW * chromaH);
        byte[] row = new byte[w];
        long seed = 0x9E3779B97F4A7C15L;
        int samplesPerFrame = (int) Math.round(sampleRate / spec.fps());
        ShortBuffer samples = ShortBuffer.allocate(samplesPerFrame);
        long sampleIndex = 0;
        try {
            recorder.start();
            for (int f = 0; f < frames; f++) {
                int boxX = (int) ((f * 17L) % Math.max(1, w - h / 3));
                int boxY = (int) ((f * 7L) % Math.max(1, h - h / 3));
                int boxSize = h / 3;
                int marker = Math.min(w, h) / 6;
                boolean black = spec.blackMiddle() && f >= frames * 3 / 10 && f < frames * 7 / 10;
                for (int y = 0; y < h; y++) {
                    int base = (y + f * 3) & 0xFF;
                    boolean inBoxRow = y >= boxY && y < boxY + boxSize;
                    for (int x = 0; x < w; x += 8) {
                        seed ^= seed << 13;
                        seed ^= seed >>> 7;
                        seed ^= seed << 17;
                        long noise = seed;
                        for (int k = 0; k < 8 && x + k < w; k++) {
                            int px = x + k;
                            // A bright marker in the top-left corner shows which way is up.
                            int v = px < marker && y < marker ? 235
                                    : inBoxRow && px >= boxX && px < boxX + boxSize
                                    ? 200 + ((px - boxX) >> 4)
                                    : ((base + (px >> 3) + f) & 0xFF) / 2 + 40;
                            v += (int) ((noise >> (k * 8)) & 0x0F) - 8;
                            row[px] = black ? 16 : (byte) Math.max(16, Math.min(235, v));
                        }
                    }
                    yuv.put(y * w, row, 0, w);
                }
                for (int y = 0; y < chromaH; y++) {
                    for (int x = 0; x < chromaW; x++) {
                        row[x] = (byte) (128 + ((x + f) & 0x3F) - 32);
                    }
                    yuv.put(lumaSize + y * chromaW, row, 0, chromaW);
                    for (int x = 0; x < chromaW; x++) {
                        row[x] = (byte) (128 + ((y + 2 * f) & 0x3F) - 32);
                    }
                    yuv.put(lumaSize + chromaW * chromaH + y * chromaW, row, 0, chromaW);
                }
                yuv.position(0);
                if (spec.vfr()) {
                    recorder.setFrameNumber((f / 2) * 6 + (f % 2 == 0 ? 0 : 2));
                }
                recorder.recordImage(w, h, Frame.DEPTH_UBYTE, 1, w, AV_PIX_FMT_YUV420P, yuv);
                if (spec.audio()) {
                    samples.clear();
                    for (int i = 0; i < samplesPerFrame; i++, sampleIndex++) {
                        double tone = Math.sin(2 * Math.PI * 440 * sampleIndex / sampleRate);
                        samples.put((short) (tone * 8000));
                    }
                    samples.flip();
                    recorder.recordSamples(sampleRate, 1, samples);
                }
            }
            recorder.stop();
        } finally {
            recorder.release();
        }
    }
}
