package dev.convoy.transcoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenditionPipelineTest {

    @TempDir
    Path out;

    @Test
    void onePassMakesEveryRenditionOfAFullHdClipWithAudio() throws Exception {
        Path source = TestClips.fullHdWithAudio();
        TranscodeResult result = new RenditionPipeline().run(
                new TranscodeJob(source, out, TranscodeJob.POSTER_MID_CLIP, RenditionSpec.defaults()));

        ProbeFacts facts = result.facts();
        assertThat(facts.width()).isEqualTo(1920);
        assertThat(facts.height()).isEqualTo(1080);
        assertThat(facts.rotation()).isZero();
        assertThat(facts.videoCodec()).isEqualTo("h264");
        assertThat(facts.profile()).isNotBlank();
        assertThat(facts.fps()).isCloseTo(30.0, within(0.01));
        assertThat(facts.variableFps()).isFalse();
        assertThat(facts.durationMs()).isBetween(9_900L, 10_200L);
        assertThat(facts.bitrate()).isBetween(8_000_000L, 16_000_000L);
        assertThat(facts.hasAudio()).isTrue();
        assertThat(facts.audioCodec()).isEqualTo("aac");
        assertThat(result.framesDecoded()).isEqualTo(300);

        assertThat(result.renditions()).extracting(TranscodeResult.Rendition::role).containsExactly(
                "poster", "thumbnail", "thumbnail-webp", "storyboard", "storyboard-vtt", "preview");
        try (FFmpegFrameGrabber preview = new FFmpegFrameGrabber(result.preview().file().toFile())) {
            preview.start();
            assertThat(preview.getVideoCodecName()).isEqualTo("h264");
            assertThat(preview.getImageWidth()).isEqualTo(640);
            assertThat(preview.getImageHeight()).isEqualTo(360);
            assertThat(preview.getAudioChannels()).as("AAC mono").isEqualTo(1);
            assertThat(preview.getAudioCodecName()).isEqualTo("aac");
            assertThat(preview.getLengthInTime() / 1000.0).isCloseTo((double) facts.durationMs(), within(200.0));
        }
        assertThat(MoovAtom.isBeforeMdat(result.preview().file())).as("faststart: moov before mdat").isTrue();

        assertThat(JpegSize.of(result.poster().file())).isEqualTo(new Dimensions(1280, 720));
        assertThat(JpegSize.of(result.get("thumbnail").file())).isEqualTo(new Dimensions(320, 180));
        Pictures webp = Pictures.read(result.get("thumbnail-webp").file());
        assertThat(new Dimensions(webp.width(), webp.height())).isEqualTo(new Dimensions(320, 180));
        byte[] riff = Files.readAllBytes(result.get("thumbnail-webp").file());
        assertThat(new String(riff, 8, 4, StandardCharsets.US_ASCII)).isEqualTo("WEBP");

        // 10 s: a tile a second, one row of ten 160x90 tiles.
        assertThat(JpegSize.of(result.get("storyboard").file())).isEqualTo(new Dimensions(1600, 90));
        List<String> vtt = Files.readAllLines(result.get("storyboard-vtt").file());
        assertThat(vtt.get(0)).isEqualTo("WEBVTT");
        assertThat(vtt).containsSubsequence("00:00:00.000 --> 00:00:01.000", "sprite.jpg#xywh=0,0,160,90");
        assertThat(vtt).contains("sprite.jpg#xywh=1440,0,160,90");
        assertThat(vtt.stream().filter(l -> l.contains("-->")).count()).isEqualTo(10);
    }

    @Test
    void silentClipGetsAPreviewWithoutAudioAndAPosterAtTheRequestedTime() throws Exception {
        Path source = TestClips.fullHdSilent();
        TranscodeResult result = new RenditionPipeline().run(
                new TranscodeJob(source, out, 1_500, RenditionSpec.defaults()));

        assertThat(result.facts().hasAudio()).isFalse();
        try (FFmpegFrameGrabber preview = new FFmpegFrameGrabber(result.preview().file().toFile())) {
            preview.start();
            assertThat(preview.getAudioStream()).isNegative();
            assertThat(preview.getImageHeight()).isEqualTo(360);
        }
        assertThat(Files.size(result.poster().file())).isPositive();
    }

    @Test
    void theRepresentativePosterSkipsBlackFramesInTheMiddle() throws Exception {
        Path source = TestClips.get(TestClips.Spec.small(640, 360, 6).withBlackMiddle());
        TranscodeResult result = new RenditionPipeline().run(
                new TranscodeJob(source, out, TranscodeJob.POSTER_MID_CLIP, RenditionSpec.defaults()));
        Pictures poster = Pictures.read(result.poster().file());
        assertThat(poster.mean(0, 0, 1, 1)).as("poster luma").isGreaterThan(PosterPicker.DARKEST_MEAN + 20);

        // An incident's poster is the event's frame, even a dark one.
        TranscodeResult incident = new RenditionPipeline().run(
                new TranscodeJob(source, out.resolve("incident"), 3_000, RenditionSpec.defaults()));
        assertThat(Pictures.read(incident.poster().file()).mean(0, 0, 1, 1)).isLessThan(PosterPicker.DARKEST_MEAN);
    }

    @Test
    void rotatedPhoneVideoComesOutUpright() throws Exception {
        for (int rotation : new int[] {90, 180, 270}) {
            Path source = TestClips.get(TestClips.Spec.small(640, 360, 2).withRotation(rotation));
            Path dir = out.resolve("r" + rotation);
            TranscodeResult result = new RenditionPipeline().run(
                    new TranscodeJob(source, dir, TranscodeJob.POSTER_MID_CLIP, RenditionSpec.defaults()));
            assertThat(result.facts().rotation()).isEqualTo(rotation);
            boolean portrait = rotation != 180;
            Dimensions upright = portrait ? new Dimensions(360, 640) : new Dimensions(640, 360);
            assertThat(result.facts().displayWidth()).isEqualTo(upright.width());
            // Never scaled up: the poster is as wide as the clip when that is under 1280.
            assertThat(JpegSize.of(result.poster().file())).isEqualTo(upright);
            Pictures poster = Pictures.read(result.poster().file());
            Pictures preview = Pictures.read(result.preview().file());
            assertThat(new Dimensions(preview.width(), preview.height())).isEqualTo(upright);
            // The camera's top-left marker lands where the rotation puts it.
            double[] corner = switch (rotation) {
                case 90 -> new double[] {0.88, 0.02};
                case 180 -> new double[] {0.92, 0.88};
                default -> new double[] {0.02, 0.92};
            };
            for (Pictures picture : List.of(poster, preview)) {
                assertThat(picture.mean(corner[0], corner[1], corner[0] + 0.06, corner[1] + 0.06))
                        .as("marker after %d degrees", rotation).isGreaterThan(220);
                assertThat(picture.mean(0.02, 0.02, 0.08, 0.08)).as("top-left after %d degrees", rotation).isLessThan(215);
            }
        }
    }

    @Test
    void anOperatorCanAddA480pPreview() throws Exception {
        Path source = TestClips.get(TestClips.Spec.small(1280, 720, 2));
        RenditionSpec spec = RenditionSpec.defaults().withPreviews(List.of(RenditionSpec.MAIN_PREVIEW,
                RenditionSpec.PreviewSpec.parse("preview-480=480p@900k")));
        TranscodeResult result = new RenditionPipeline().run(new TranscodeJob(source, out, -1, spec));
        Pictures p480 = Pictures.read(result.get("preview-480").file());
        assertThat(new Dimensions(p480.width(), p480.height())).isEqualTo(new Dimensions(854, 480));
        assertThat(result.get("preview-480").file().getFileName().toString()).isEqualTo("preview-480.mp4");
        assertThat(result.preview().role()).isEqualTo("preview");
        // Under 3 s: no storyboard.
        assertThat(result.get("storyboard")).isNull();
        assertThat(result.get("storyboard-vtt")).isNull();
    }

    @Test
    void storyboardIntervalGrowsSoThatThereAreAtMostAHundredTiles() {
        RenditionSpec spec = RenditionSpec.defaults();
        try (Storyboard hourDrive = Storyboard.plan(facts(3_600_000), 3_600_000, spec)) {
            assertThat(hourDrive.intervalSeconds()).isEqualTo(36);
            assertThat(hourDrive.tiles()).isEqualTo(100);
        }
        try (Storyboard odd = Storyboard.plan(facts(250_500), 250_500, spec)) {
            assertThat(odd.intervalSeconds()).isEqualTo(3);
            assertThat(odd.tiles()).isEqualTo(84);
        }
        try (Storyboard short10 = Storyboard.plan(facts(10_000), 10_000, spec)) {
            assertThat(short10.intervalSeconds()).isEqualTo(1);
            assertThat(short10.tiles()).isEqualTo(10);
        }
        assertThat(Storyboard.plan(facts(2_999), 2_999, spec)).isNull();
        assertThat(Storyboard.vttTime(3_723_004)).isEqualTo("01:02:03.004");
    }

    private static ProbeFacts facts(long durationMs) {
        return new ProbeFacts("mp4", "h264", "High", 1920, 1080, 0, 30, false, durationMs, 12_000_000, false, null, 0, null);
    }

    @Test
    void previewSizeKeepsAspectWithEvenDimensions() {
        assertThat(Dimensions.shortSide(1920, 1080, 360)).isEqualTo(new Dimensions(640, 360));
        assertThat(Dimensions.shortSide(1440, 1080, 360)).isEqualTo(new Dimensions(480, 360));
        assertThat(Dimensions.shortSide(1920, 1088, 360)).isEqualTo(new Dimensions(636, 360));
        assertThat(Dimensions.shortSide(1080, 1920, 360)).isEqualTo(new Dimensions(360, 640));
        assertThat(Dimensions.width(1920, 1080, 1280)).isEqualTo(new Dimensions(1280, 720));
        assertThat(Dimensions.width(360, 640, 1280)).as("never scaled up").isEqualTo(new Dimensions(360, 640));
        assertThat(Dimensions.shortSide(320, 180, 360)).as("never scaled up").isEqualTo(new Dimensions(320, 180));
    }

    @Test
    void posterTimeIsMidClipByDefaultAndClampedToTheClip() {
        assertThat(RenditionPipeline.posterTimeUs(-1, 10_000)).isEqualTo(5_000_000);
        assertThat(RenditionPipeline.posterTimeUs(2_000, 10_000)).isEqualTo(2_000_000);
        assertThat(RenditionPipeline.posterTimeUs(60_000, 10_000)).isEqualTo(9_750_000);
    }
}
