package dev.convoy.benchmarks.fleet;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

import dev.convoy.ingest.clip.ClipKind;
import dev.convoy.transcoder.Codecs;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

/** The clips virtual cameras upload, by kind: files given with {@code --clips}, or real H.264 made once and reused. */
final class FleetClips {

    /** One clip held in memory (cameras share it) with its SHA-256; {@code container} is {@link #GIVEN} for a file of {@code --clips}. */
    record Clip(ClipKind kind, String container, String name, Buffer bytes, String sha256, long durationMs) {
    }

    /** The container of the files given with {@code --clips}: whatever they are, for cameras of every container. */
    static final String GIVEN = "given";

    /** Seconds of each kind made when no clips are given: an incident's 10 s, a trimmed clip, a slice of a drive. */
    private static final Map<ClipKind, Integer> SECONDS = Map.of(ClipKind.INCIDENT, 10, ClipKind.MANUAL, 20, ClipKind.DRIVE, 60);

    private final Map<ClipKind, List<Clip>> byKind = new EnumMap<>(ClipKind.class);

    static FleetClips load(FleetOptions options, Path cacheDir) throws Exception {
        FleetClips clips = new FleetClips();
        if (options.clipsDir() != null) {
            List<Path> files;
            try (Stream<Path> listing = Files.list(options.clipsDir())) {
                files = listing.filter(Files::isRegularFile).sorted().toList();
            }
            if (files.isEmpty()) {
                throw new IllegalArgumentException("--clips " + options.clipsDir() + " holds no files");
            }
            for (Path file : files) {
                String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
                for (ClipKind kind : ClipKind.values()) {
                    boolean forKind = name.startsWith(kind.wireName());
                    boolean forAll = ClipKind.fromWire(name.replaceAll("[^a-z].*", "")).isEmpty();
                    if (forKind || forAll) {
                        clips.add(kind, GIVEN, file, -1);
                    }
                }
            }
        } else {
            Files.createDirectories(cacheDir);
            for (ClipKind kind : options.mix().keySet()) {
                if (options.mix().get(kind) <= 0) {
                    continue;
                }
                int seconds = options.clipSeconds() > 0 ? options.clipSeconds() : SECONDS.get(kind);
                for (String container : options.containers()) {
                    Path file = cacheDir.resolve(kind.wireName() + "-" + options.width() + "x" + options.height() + "-" + seconds + "s-"
                            + container + (container.equals("ts") ? ".ts" : ".mp4"));
                    if (!Files.exists(file)) {
                        make(file, container, options.width(), options.height(), seconds, kind.ordinal());
                    }
                    clips.add(kind, container, file, seconds * 1000L);
                }
            }
        }
        for (ClipKind kind : ClipKind.values()) {
            if (clips.byKind.getOrDefault(kind, List.of()).isEmpty() && options.mix().getOrDefault(kind, 0.0) > 0) {
                throw new IllegalArgumentException("--clips has no clip for kind " + kind.wireName()
                        + " (name files incident*, manual*, drive*, or give files with other names for every kind)");
            }
        }
        return clips;
    }

    List<Clip> of(ClipKind kind) {
        return byKind.getOrDefault(kind, List.of());
    }

    /** The clips of a kind that a camera writing {@code container} uploads: those in its container, or the given files. */
    List<Clip> of(ClipKind kind, String container) {
        List<Clip> inContainer = of(kind).stream().filter(c -> c.container().equals(container)).toList();
        return inContainer.isEmpty() ? of(kind) : inContainer;
    }

    private void add(ClipKind kind, String container, Path file, long durationMs) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        byKind.computeIfAbsent(kind, k -> new ArrayList<>())
                .add(new Clip(kind, container, file.getFileName().toString(), Buffer.buffer(bytes), sha256(bytes), durationMs));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A dash-cam-like H.264 clip: a road-grey gradient drifting past, a lighter block moving across,
     * sensor noise; in {@code container} (see {@link FleetOptions#CONTAINERS}).
     */
    private static void make(Path out, String container, int w, int h, int seconds, int variant) throws Exception {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        Path tmp = out.resolveSibling(out.getFileName() + ".part");
        int fps = 30;
        FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(tmp.toFile(), w, h, 0);
        recorder.setFormat(container.equals("ts") ? "mpegts" : "mp4");
        switch (container) {
            case "faststart" -> recorder.setOption("movflags", "+faststart");
            // Fragments at each keyframe, the index in front and in every fragment: what a camera streams.
            case "fmp4" -> recorder.setOption("movflags", "+frag_keyframe+empty_moov+default_base_moof");
            default -> {
                // mp4: the index at the end, as a camera closes a file; ts needs none.
            }
        }
        recorder.setVideoCodecName(Codecs.h264Encoder());
        recorder.setPixelFormat(AV_PIX_FMT_YUV420P);
        recorder.setFrameRate(fps);
        recorder.setGopSize(fps * 2);
        // About what a dash cam spends per pixel: 720p near 2 Mbit/s, 1080p near 4.5.
        recorder.setVideoBitrate((int) Math.min(12_000_000L, (long) w * h * 2));
        recorder.setVideoOption("preset", "veryfast");
        int chromaW = w / 2;
        int chromaH = h / 2;
        ByteBuffer yuv = ByteBuffer.allocateDirect(w * h + 2 * chromaW * chromaH);
        byte[] row = new byte[w];
        long noise = 0x2545F4914F6CDD1DL + variant;
        try {
            recorder.start();
            for (int f = 0; f < seconds * fps; f++) {
                yuv.clear();
                int block = (f * 5 + variant * 97) % Math.max(1, w - h / 4);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        noise ^= noise << 13;
                        noise ^= noise >>> 7;
                        noise ^= noise << 17;
                        int v = 60 + ((x + y + f * 4) >> 3) % 90 + (int) (noise & 7);
                        if (x >= block && x < block + h / 4 && y > h / 2 && y < h / 2 + h / 8) {
                            v = 200;
                        }
                        row[x] = (byte) v;
                    }
                    yuv.put(row);
                }
                for (int i = 0; i < 2 * chromaW * chromaH; i++) {
                    yuv.put((byte) 128);
                }
                yuv.flip();
                recorder.recordImage(w, h, Frame.DEPTH_UBYTE, 1, w, AV_PIX_FMT_YUV420P, yuv);
            }
            recorder.stop();
        } finally {
            recorder.release();
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
