package dev.convoy.transcoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenditionPipelineTest {

    @TempDir
    Path out;

    @Test
    void onePassMakesPosterAndPreviewOfAFullHdClipWithAudio() throws Exception {
        Path source = TestClips.fullHdWithAudio();
        TranscodeResult result = new RenditionPipeline().run(
                new TranscodeJob(source, out, TranscodeJob.POSTER_MID_CLIP, RenditionSpec.defaults()));

        ProbeFacts facts = result.facts();
        assertThat(facts.width()).isEqualTo(1920);
        assertThat(facts.height()).isEqualTo(1080);
        assertThat(facts.videoCodec()).isEqualTo("h264");
        assertThat(facts.fps()).isCloseTo(30.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(facts.durationMs()).isBetween(9_900L, 10_200L);
        assertThat(facts.hasAudio()).isTrue();
        assertThat(result.framesDecoded()).isEqualTo(300);

        try (FFmpegFrameGrabber preview = new FFmpegFrameGrabber(result.preview().toFile())) {
            preview.start();
            assertThat(preview.getVideoCodecName()).isEqualTo("h264");
            assertThat(preview.getImageWidth()).isEqualTo(640);
            assertThat(preview.getImageHeight()).isEqualTo(360);
            assertThat(preview.getAudioChannels()).isEqualTo(1);
            assertThat(preview.getAudioCodecName()).isEqualTo("aac");
            assertThat(preview.getLengthInTime() / 1000.0).isCloseTo(facts.durationMs(), org.assertj.core.data.Offset.offset(200.0));
        }
        assertThat(MoovAtom.isBeforeMdat(result.preview())).as("faststart: moov before mdat").isTrue();

        assertThat(JpegSize.of(result.poster())).isEqualTo(new Dimensions(1280, 720));
    }

    @Test
    void silentClipGetsAPreviewWithoutAudioAndAPosterAtTheRequestedTime() throws Exception {
        Path source = TestClips.fullHdSilent();
        TranscodeResult result = new RenditionPipeline().run(
                new TranscodeJob(source, out, 1_500, RenditionSpec.defaults()));

        assertThat(result.facts().hasAudio()).isFalse();
        try (FFmpegFrameGrabber preview = new FFmpegFrameGrabber(result.preview().toFile())) {
            preview.start();
            assertThat(preview.getAudioStream()).isNegative();
            assertThat(preview.getImageHeight()).isEqualTo(360);
        }
        assertThat(Files.size(result.poster())).isPositive();
    }

    @Test
    void aFileThatIsNotAVideoIsRefusedWithAStableReason() throws Exception {
        Path junk = out.resolve("notes.mp4");
        Files.writeString(junk, "this is not a video at all, just some text a camera app sent by mistake");
        assertThatThrownBy(() -> new RenditionPipeline().run(
                new TranscodeJob(junk, out.resolve("r"), -1, RenditionSpec.defaults())))
                .isInstanceOf(TranscodeException.class)
                .extracting(e -> ((TranscodeException) e).reason())
                .isEqualTo("not_a_video");
    }

    @Test
    void anEmptyFileIsRefusedWithAStableReason() throws Exception {
        Path empty = Files.createFile(out.resolve("empty.mp4"));
        assertThatThrownBy(() -> Probe.probe(empty))
                .isInstanceOf(TranscodeException.class)
                .extracting(e -> ((TranscodeException) e).reason())
                .isEqualTo("empty_file");
    }

    @Test
    void previewSizeKeepsAspectWithEvenDimensions() {
        assertThat(Dimensions.shortSide(1920, 1080, 360)).isEqualTo(new Dimensions(640, 360));
        assertThat(Dimensions.shortSide(1440, 1080, 360)).isEqualTo(new Dimensions(480, 360));
        assertThat(Dimensions.shortSide(1920, 1088, 360)).isEqualTo(new Dimensions(636, 360));
        assertThat(Dimensions.shortSide(1080, 1920, 360)).isEqualTo(new Dimensions(360, 640));
        assertThat(Dimensions.width(1920, 1080, 1280)).isEqualTo(new Dimensions(1280, 720));
    }

    @Test
    void posterTimeIsMidClipByDefaultAndClampedToTheClip() {
        assertThat(RenditionPipeline.posterTimeUs(-1, 10_000)).isEqualTo(5_000_000);
        assertThat(RenditionPipeline.posterTimeUs(2_000, 10_000)).isEqualTo(2_000_000);
        assertThat(RenditionPipeline.posterTimeUs(60_000, 10_000)).isEqualTo(9_750_000);
    }
}
