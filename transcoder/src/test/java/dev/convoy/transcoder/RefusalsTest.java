package dev.convoy.transcoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What cannot become a clip is refused with a stable reason and a sentence; damage that can be skipped is. */
class RefusalsTest {

    @TempDir
    Path out;

    private static TranscodeResult run(Path source, Path dir, RenditionSpec spec) throws TranscodeException {
        return new RenditionPipeline().run(new TranscodeJob(source, dir, TranscodeJob.POSTER_MID_CLIP, spec));
    }

    private void assertRefused(Path source, RenditionSpec spec, String reason) {
        assertThatThrownBy(() -> run(source, out.resolve("r"), spec))
                .isInstanceOf(TranscodeException.class)
                .satisfies(e -> {
                    assertThat(((TranscodeException) e).reason()).isEqualTo(reason);
                    assertThat(e.getMessage()).as("a sentence a person can act on").hasSizeGreaterThan(20);
                });
    }

    @Test
    void notAVideoAndEmptyFiles() throws Exception {
        Path junk = out.resolve("notes.mp4");
        Files.writeString(junk, "this is not a video at all, just some text a camera app sent by mistake");
        assertRefused(junk, RenditionSpec.defaults(), "not_a_video");
        assertRefused(Files.createFile(out.resolve("empty.mp4")), RenditionSpec.defaults(), "empty_file");
    }

    @Test
    void aFileWithSoundOnly() throws Exception {
        Path audioOnly = out.resolve("voice.m4a");
        FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(audioOnly.toFile(), 1);
        recorder.setFormat("mp4");
        recorder.setAudioCodec(avcodec.AV_CODEC_ID_AAC);
        recorder.setSampleRate(48_000);
        recorder.start();
        ShortBuffer samples = ShortBuffer.allocate(48_000);
        for (int i = 0; i < 48_000; i++) {
            samples.put((short) (Math.sin(i / 10.0) * 5000));
        }
        samples.flip();
        recorder.recordSamples(48_000, 1, samples);
        recorder.stop();
        recorder.release();
        assertRefused(audioOnly, RenditionSpec.defaults(), "no_video_stream");
    }

    @Test
    void clipsPastTheLimitsAreRefusedFromTheProbeAlone() {
        Path source = TestClips.get(TestClips.Spec.small(640, 360, 2));
        RenditionSpec spec = RenditionSpec.defaults();
        assertRefused(source, spec.withLimits(new RenditionSpec.ClipLimits(600, 2304, 7_200_000, 120)), "resolution_too_high");
        assertRefused(source, spec.withLimits(new RenditionSpec.ClipLimits(4096, 300, 7_200_000, 120)), "resolution_too_high");
        assertRefused(source, spec.withLimits(new RenditionSpec.ClipLimits(4096, 2304, 1_000, 120)), "too_long");
        assertRefused(source, spec.withLimits(new RenditionSpec.ClipLimits(4096, 2304, 7_200_000, 25)), "frame_rate_too_high");
        assertThat(RenditionSpec.ClipLimits.defaults()).isEqualTo(new RenditionSpec.ClipLimits(4096, 2304, 7_200_000, 120));
    }

    @Test
    void aCameraFileCutShortBeforeItsIndexWasWritten() throws Exception {
        Path whole = TestClips.get(TestClips.Spec.small(640, 360, 4));
        Path cut = out.resolve("cut.mp4");
        byte[] bytes = Files.readAllBytes(whole);
        // Cameras write the index (moov) last: a recording cut off has none.
        Files.write(cut, Arrays.copyOf(bytes, bytes.length * 2 / 3));
        assertRefused(cut, RenditionSpec.defaults(), "truncated");
    }

    @Test
    void aFileCutShortAfterItsIndex() throws Exception {
        // A faststart MP4 (index first) cut to a third: it opens, but its frames stop early.
        Path whole = run(TestClips.get(TestClips.Spec.small(640, 360, 6)), out.resolve("fast"), RenditionSpec.defaults())
                .preview().file();
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = out.resolve("cut-fast.mp4");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 3));
        assertRefused(cut, RenditionSpec.defaults(), "truncated");
    }

    @Test
    void corruptFramesInTheMiddleAreSkipped() throws Exception {
        Path whole = TestClips.get(TestClips.Spec.small(640, 360, 4).withFormat("mpegts"));
        Path damaged = out.resolve("damaged.ts");
        Files.copy(whole, damaged);
        try (RandomAccessFile file = new RandomAccessFile(damaged.toFile(), "rw")) {
            byte[] noise = new byte[16 * 1024];
            new Random(7).nextBytes(noise);
            file.seek(file.length() / 2);
            file.write(noise);
        }
        TranscodeResult result = run(damaged, out.resolve("r"), RenditionSpec.defaults());
        assertThat(result.framesDecoded()).isBetween(90L, 120L);
        assertThat(Files.size(result.preview().file())).isPositive();
    }

    @Test
    void aVideoStreamWithNoIntactFrame() throws Exception {
        // The container and its index are sound; every byte of the media data is noise.
        Path whole = TestClips.get(TestClips.Spec.small(640, 360, 2));
        byte[] bytes = Files.readAllBytes(whole);
        int mdat = indexOf(bytes, "mdat".getBytes(StandardCharsets.US_ASCII));
        long size = ByteBuffer.wrap(bytes, mdat - 4, 4).getInt() & 0xFFFFFFFFL;
        Random random = new Random(11);
        for (int i = mdat + 4; i < mdat - 4 + size; i++) {
            bytes[i] = (byte) random.nextInt();
        }
        Path garbled = out.resolve("garbled.mp4");
        Files.write(garbled, bytes);
        assertRefused(garbled, RenditionSpec.defaults(), "corrupt_bitstream");
    }

    @Test
    void aGarbledTransportStreamIsRefusedWithADocumentedReasonNeverACrash() throws Exception {
        Path whole = TestClips.get(TestClips.Spec.small(640, 360, 2).withFormat("mpegts"));
        Path garbled = out.resolve("garbled.ts");
        byte[] bytes = Files.readAllBytes(whole);
        Random random = new Random(11);
        // Packet headers kept (the demuxer finds the stream), payloads and timestamps garbled.
        for (int packet = 188 * 8; packet + 188 <= bytes.length; packet += 188) {
            for (int i = packet + 8; i < packet + 188; i++) {
                bytes[i] = (byte) random.nextInt();
            }
        }
        Files.write(garbled, bytes);
        // Garbled timestamps can make the probe read absurd facts first; whichever it meets first, it says so.
        assertThatThrownBy(() -> run(garbled, out.resolve("r"), RenditionSpec.defaults()))
                .isInstanceOf(TranscodeException.class)
                .extracting(e -> ((TranscodeException) e).reason())
                .isIn("corrupt_bitstream", "not_a_video", "no_video_stream", "truncated", "frame_rate_too_high", "too_long",
                        "resolution_too_high");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("not found");
    }
}
