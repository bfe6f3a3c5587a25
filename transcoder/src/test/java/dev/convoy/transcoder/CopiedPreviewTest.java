package dev.convoy.transcoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_KEY;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A clip that already is what its preview would be gets its own streams copied, not encoded again. */
class CopiedPreviewTest {

    /** 640x360 at 2 bits per pixel per second (460 kbit/s), as a fleet's small incident clips come. */
    private static TestClips.Spec small(String format, boolean audio) {
        return new TestClips.Spec(640, 360, 30, 3, 640 * 360 * 2, audio, format, null, 0, false, 0, false);
    }

    @TempDir
    Path out;

    private TranscodeResult transcode(Path source) throws TranscodeException {
        return new RenditionPipeline().run(new TranscodeJob(source, out, TranscodeJob.POSTER_MID_CLIP, RenditionSpec.defaults()));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mp4", "mpegts", "matroska"})
    void aSmallClipsStreamsAreCopiedIntoAFaststartPreviewFromEveryContainer(String format) throws Exception {
        Path source = TestClips.get(small(format, true));
        TranscodeResult result = transcode(source);

        assertThat(result.preview().videoEncoder()).isEqualTo(CopiedPreview.COPY);
        assertThat(MoovAtom.isBeforeMdat(result.preview().file())).as("faststart").isTrue();
        try (FFmpegFrameGrabber preview = new FFmpegFrameGrabber(result.preview().file().toFile())) {
            preview.start();
            assertThat(preview.getFormat()).contains("mp4");
            assertThat(preview.getVideoCodecName()).isEqualTo("h264");
            assertThat(preview.getAudioCodecName()).isEqualTo("aac");
            assertThat(preview.getAudioChannels()).isEqualTo(1);
            assertThat(preview.getLengthInTime() / 1000.0).as("the clip's 3 s").isCloseTo(3_000.0, within(200.0));
            assertThat(preview.getFormatContext().start_time()).as("the preview's timeline starts at 0, whatever the source's clock")
                    .isBetween(0L, 100_000L);
        }
        assertThat(PreviewFacts.of(result.preview().file()).get("frames")).as("every frame, none dropped or repeated")
                .isEqualTo((int) result.framesDecoded());
        assertThat(Files.size(result.preview().file())).as("the same bits, in a new box").isLessThan(Files.size(source) * 11 / 10);
        // The other renditions still come from the one decode.
        assertThat(result.framesDecoded()).isEqualTo(90);
        assertThat(JpegSize.of(result.poster().file())).isEqualTo(new Dimensions(640, 360));
        assertThat(result.get("storyboard-vtt")).isNotNull();
    }

    @Test
    void aClipWithBFramesIsCopiedWithEveryFrameInOrder() throws Exception {
        // Committed fixture: libx264 Main profile, 3 B-frames, 320x180, 2 s (decoding times run ahead of presentation).
        Path source = out.resolve("h264-bframes-320x180.mp4");
        try (var in = CopiedPreviewTest.class.getResourceAsStream("/clips/h264-bframes-320x180.mp4")) {
            Files.copy(in, source);
        }
        TranscodeResult result = new RenditionPipeline().run(
                new TranscodeJob(source, out.resolve("r"), TranscodeJob.POSTER_MID_CLIP, RenditionSpec.defaults()));
        assertThat(result.preview().videoEncoder()).isEqualTo(CopiedPreview.COPY);
        assertThat(PreviewFacts.of(result.preview().file()).get("frames")).isEqualTo(60);
        assertThat(MoovAtom.isBeforeMdat(result.preview().file())).isTrue();
    }

    @Test
    void aSilentClipIsCopiedToo() throws Exception {
        TranscodeResult result = transcode(TestClips.get(small("mp4", false)));
        assertThat(result.preview().videoEncoder()).isEqualTo(CopiedPreview.COPY);
        try (FFmpegFrameGrabber preview = new FFmpegFrameGrabber(result.preview().file().toFile())) {
            preview.start();
            assertThat(preview.getAudioChannels()).isZero();
        }
    }

    @Test
    void anMpegTsCutInTheMiddleOfAGroupOfPicturesStartsItsPreviewAtTheNextKeyframe() throws Exception {
        Path whole = TestClips.get(new TestClips.Spec(640, 360, 30, 4, 640 * 360 * 2, true, "mpegts", null, 0, false, 0, false));
        // Cut where a picture that is not a keyframe starts, past the first quarter: the stream then starts mid-GOP.
        long cut = -1;
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(whole.toFile())) {
            grabber.start();
            AVPacket packet;
            while (cut < 0 && (packet = grabber.grabPacket()) != null) {
                if (packet.stream_index() == grabber.getVideoStream() && (packet.flags() & AV_PKT_FLAG_KEY) == 0
                        && packet.pos() > Files.size(whole) / 4) {
                    cut = packet.pos() / 188 * 188;
                }
            }
        }
        assertThat(cut).as("fixture: a picture that is not a keyframe").isPositive();
        byte[] bytes = Files.readAllBytes(whole);
        Path source = Files.write(out.resolve("cut.ts"), Arrays.copyOfRange(bytes, (int) cut, bytes.length));

        TranscodeResult result = transcode(source);

        assertThat(result.preview().videoEncoder()).isEqualTo(CopiedPreview.COPY);
        try (FFmpegFrameGrabber preview = new FFmpegFrameGrabber(result.preview().file().toFile())) {
            preview.start();
            AVPacket first;
            do {
                first = preview.grabPacket();
            } while (first != null && first.stream_index() != preview.getVideoStream());
            assertThat(first).isNotNull();
            assertThat(first.flags() & AV_PKT_FLAG_KEY).as("the preview's first picture can be shown").isNotZero();
        }
        assertThat((int) PreviewFacts.of(result.preview().file()).get("frames")).as("every picture of the preview decodes")
                .isPositive().isLessThanOrEqualTo((int) result.framesDecoded());
    }

    @Test
    void thePreviewsThatACopyFallsBackOnAreEncoded() throws Exception {
        Path source = TestClips.get(small("mpegts", true));
        TranscodeResult result = new RenditionPipeline().run(new TranscodeJob(source, out, TranscodeJob.POSTER_MID_CLIP,
                RenditionSpec.defaults().withSinks(List.of(PreviewSink.ENCODED_NAME))));
        assertThat(result.renditions()).extracting(TranscodeResult.Rendition::role).containsExactly("preview");
        assertThat(result.preview().videoEncoder()).as("the same clip, encoded: nothing copied").isEqualTo(Codecs.h264Encoder());
        assertThat(MoovAtom.isBeforeMdat(result.preview().file())).isTrue();
    }

    @Test
    void clipsThatAreNotAlreadyAPreviewAreEncoded() throws Exception {
        // More bits than the preview may carry.
        assertThat(transcode(TestClips.get(TestClips.Spec.small(640, 360, 2))).preview().videoEncoder())
                .isEqualTo(Codecs.h264Encoder());
        // Larger than the preview.
        assertThat(transcode(TestClips.get(new TestClips.Spec(1280, 720, 30, 1, 1280 * 720, false, "mp4", null, 0, false, 0, false)))
                .preview().videoEncoder()).isEqualTo(Codecs.h264Encoder());
        // Faster than the preview.
        assertThat(transcode(TestClips.get(small("mp4", false).withFps(60))).preview().videoEncoder())
                .isEqualTo(Codecs.h264Encoder());
        // Turned: the preview is upright.
        assertThat(transcode(TestClips.get(small("mp4", false).withRotation(90))).preview().videoEncoder())
                .isEqualTo(Codecs.h264Encoder());
    }

    @Test
    void aDecodingTimeThatDoesNotIncreaseIsMovedOnByATick() {
        long none = AV_NOPTS_VALUE;
        assertThat(CopiedPreview.monotonic(3_000, 1_000)).isEqualTo(3_000);
        assertThat(CopiedPreview.monotonic(1_000, 1_000)).isEqualTo(1_001);
        assertThat(CopiedPreview.monotonic(500, 1_000)).isEqualTo(1_001);
        assertThat(CopiedPreview.monotonic(500, none)).as("the first packet").isEqualTo(500);
        assertThat(CopiedPreview.monotonic(none, 1_000)).as("no time: the muxer works it out").isEqualTo(none);
    }

    @Test
    void theRulesReadTheProbeFacts() {
        RenditionSpec.PreviewSpec preview = RenditionSpec.MAIN_PREVIEW;
        ProbeFacts fits = new ProbeFacts("mpegts", "h264", "High", 640, 360, 0, 30, false, 5_000, 500_000, true, "aac", 1, null);
        assertThat(CopiedPreview.fits(preview, fits, 0)).isTrue();
        assertThat(CopiedPreview.fits(preview, new ProbeFacts("mpegts", "hevc", "Main", 640, 360, 0, 30, false, 5_000, 500_000,
                true, "aac", 1, null), 0)).as("browsers do not all play HEVC").isFalse();
        assertThat(CopiedPreview.fits(preview, new ProbeFacts("mpegts", "h264", "High 10", 640, 360, 0, 30, false, 5_000, 500_000,
                true, "aac", 1, null), 0)).as("10-bit").isFalse();
        assertThat(CopiedPreview.fits(preview, new ProbeFacts("mpegts", "h264", null, 640, 360, 0, 30, false, 5_000, 500_000,
                true, "aac", 1, null), 0)).as("a profile FFmpeg did not know").isFalse();
        assertThat(CopiedPreview.fits(preview, new ProbeFacts("mpegts", "h264", "High", 640, 360, 0, 30, false, 5_000, 500_000,
                true, "mp3", 1, null), 0)).as("the preview's audio is AAC").isFalse();
        assertThat(CopiedPreview.fits(preview, new ProbeFacts("mpegts", "h264", "High", 640, 360, 0, 30, false, 5_000, 500_000,
                true, "aac", 2, null), 0)).as("the preview's audio is mono").isFalse();
        assertThat(CopiedPreview.fits(preview, new ProbeFacts("mpegts", "h264", "High", 640, 360, 0, 30, false, 5_000, 0,
                false, null, 0, null), 5_000L * 300_000 / 8_000)).as("no bitrate stated: the size and duration tell").isTrue();
        assertThat(CopiedPreview.fits(preview, new ProbeFacts("mpegts", "h264", "High", 640, 360, 0, 30, false, 5_000, 0,
                false, null, 0, null), 5_000L * 900_000 / 8_000)).isFalse();
        assertThat(CopiedPreview.fits(preview, new ProbeFacts("mpegts", "h264", "High", 640, 360, 0, 30, false, 0, 0,
                false, null, 0, null), 1_000)).as("nothing tells the bitrate").isFalse();
    }
}
