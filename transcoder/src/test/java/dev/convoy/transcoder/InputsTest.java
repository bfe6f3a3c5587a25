package dev.convoy.transcoder;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The inputs cameras and phones send: every container, codec and shape makes the same renditions. */
class InputsTest {

    @TempDir
    Path out;

    private TranscodeResult transcode(Path source) throws TranscodeException {
        return new RenditionPipeline().run(new TranscodeJob(source, out, TranscodeJob.POSTER_MID_CLIP, RenditionSpec.defaults()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"mov, mov", "mpegts, mpegts", "matroska, matroska"})
    void everyContainerCamerasWrite(String format, String demuxer) throws Exception {
        Path source = TestClips.get(TestClips.Spec.small(640, 360, 2).withAudio().withFormat(format));
        TranscodeResult result = transcode(source);
        assertThat(result.facts().container()).contains(demuxer);
        assertThat(result.facts().hasAudio()).isTrue();
        assertThat(result.framesDecoded()).isEqualTo(60);
        assertPreview(result, 640, 360);
    }

    @Test
    void anMp4WithItsIndexAtTheEndAsCamerasWriteIt() throws Exception {
        Path source = TestClips.get(TestClips.Spec.small(640, 360, 2));
        assertThat(MoovAtom.isBeforeMdat(source)).as("fixture: moov after mdat").isFalse();
        assertThat(transcode(source).framesDecoded()).isEqualTo(60);
    }

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"1920, 1088, 636, 360", "1440, 1080, 480, 360", "3840, 2160, 640, 360"})
    void oddAndLargeSizesKeepTheirAspect(int width, int height, int previewWidth, int previewHeight) throws Exception {
        Path source = TestClips.get(new TestClips.Spec(width, height, 30, 1, 4_000_000, false, "mp4", null, 0, false, 0, false));
        TranscodeResult result = transcode(source);
        assertThat(result.facts().width()).isEqualTo(width);
        assertPreview(result, previewWidth, previewHeight);
        assertThat(JpegSize.of(result.poster().file())).isEqualTo(Dimensions.width(width, height, 1280));
    }

    @Test
    void variableFrameRateIsDetectedAndItsTimingKept() throws Exception {
        Path source = TestClips.get(TestClips.Spec.small(640, 360, 3).withVfr());
        TranscodeResult result = transcode(source);
        assertThat(result.facts().variableFps()).isTrue();
        assertThat(result.framesDecoded()).isEqualTo(90);
        assertThat(result.facts().durationMs()).isBetween(2_900L, 3_100L);
        assertPreview(result, 640, 360);
    }

    @Test
    void sixtyFpsIsCappedAtThirty() throws Exception {
        Path source = TestClips.get(TestClips.Spec.small(640, 360, 2).withFps(60));
        TranscodeResult result = transcode(source);
        assertThat(result.framesDecoded()).isEqualTo(120);
        Map<String, Object> preview = PreviewFacts.of(result.preview().file());
        assertThat((double) preview.get("fps")).isBetween(29.0, 30.5);
        assertThat((int) preview.get("frames")).isBetween(58, 62);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"h264-bframes-320x180.mp4, h264", "hevc-bframes-320x180.mp4, hevc"})
    void hevcAndBFramesFromCommittedFixtures(String file, String codec) throws Exception {
        Path source = out.resolve(file);
        try (var in = InputsTest.class.getResourceAsStream("/clips/" + file)) {
            Files.copy(in, source);
        }
        // Made with the gpl natives' libx264/libx265 with 3 B-frames (their settings are in the stream).
        assertThat(new String(Files.readAllBytes(source), StandardCharsets.ISO_8859_1)).contains("bframes=3");
        TranscodeResult result = new RenditionPipeline().run(
                new TranscodeJob(source, out.resolve("r"), TranscodeJob.POSTER_MID_CLIP, RenditionSpec.defaults()));
        assertThat(result.facts().videoCodec()).isEqualTo(codec);
        assertThat(result.facts().profile()).isEqualTo("Main");
        assertThat(result.framesDecoded()).isEqualTo(60);
        assertPreview(result, 320, 180);
    }

    private static void assertPreview(TranscodeResult result, int width, int height) throws Exception {
        Pictures first = Pictures.read(result.preview().file());
        assertThat(new Dimensions(first.width(), first.height())).isEqualTo(new Dimensions(width, height));
        assertThat(MoovAtom.isBeforeMdat(result.preview().file())).isTrue();
    }
}
