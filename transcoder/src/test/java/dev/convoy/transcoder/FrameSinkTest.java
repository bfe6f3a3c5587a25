package dev.convoy.transcoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convoy.transcoder.TranscodeResult.Rendition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrameSinkTest {

    @TempDir
    Path out;

    private static List<String> withFrameTimes(List<String> sinks) {
        List<String> all = new ArrayList<>(sinks);
        all.add(FrameTimes.NAME);
        return all;
    }

    @Test
    void aSinkNamedInTheSpecGetsEveryPictureOnTheClipsTimelineAndItsRenditionJoinsTheResult() throws Exception {
        Path source = TestClips.get(TestClips.Spec.small(640, 360, 4).withVfr());
        RenditionSpec spec = RenditionSpec.defaults().withThreads(1).withSinks(withFrameTimes(RenditionSpec.DEFAULT_SINKS));
        TranscodeResult result = new RenditionPipeline().run(new TranscodeJob(source, out, TranscodeJob.POSTER_MID_CLIP, spec));

        assertThat(result.renditions()).extracting(Rendition::role).containsExactly(
                "poster", "thumbnail", "thumbnail-webp", "storyboard", "storyboard-vtt", "preview", FrameTimes.NAME);
        Rendition times = result.get(FrameTimes.NAME);
        assertThat(times.contentType()).isEqualTo("text/plain");
        assertThat(times.bytes()).isEqualTo(Files.size(times.file()));
        assertThat(times.videoEncoder()).isNull();

        List<Long> t = Files.readAllLines(times.file()).stream().map(Long::parseLong).toList();
        assertThat(t).as("one time per decoded picture").hasSize((int) result.framesDecoded());
        assertThat(t.get(0)).as("the clip starts at 0").isZero();
        for (int i = 1; i < t.size(); i++) {
            assertThat(t.get(i)).as("time %d increases", i).isGreaterThan(t.get(i - 1));
        }
        assertThat(t.get(t.size() - 1) / 1000).as("the last picture near the end").isBetween(3_800L, 4_000L);
        assertThat(result.facts().variableFps()).as("the same clock measured the varying rate").isTrue();
    }

    @Test
    void aSpecOfOneSinkMakesOnlyItsRenditions() throws Exception {
        Path source = TestClips.get(TestClips.Spec.small(640, 360, 2));
        RenditionSpec spec = RenditionSpec.defaults().withThreads(1).withSinks(List.of(FrameTimes.NAME));
        TranscodeResult result = new RenditionPipeline().run(new TranscodeJob(source, out, TranscodeJob.POSTER_MID_CLIP, spec));

        assertThat(result.renditions()).extracting(Rendition::role).containsExactly(FrameTimes.NAME);
        assertThat(result.framesDecoded()).isEqualTo(60);
        try (var files = Files.list(out)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly(FrameTimes.FILE);
        }
    }

    @Test
    void aSpecNamingAnUnknownOrRepeatedSinkIsRefusedWhenBuilt() {
        assertThatThrownBy(() -> RenditionSpec.defaults().withSinks(List.of("stills", "gif")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'gif'");
        assertThatThrownBy(() -> RenditionSpec.defaults().withSinks(List.of("stills", "stills")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("differ");
    }

    @Test
    void theDefaultSinksAreStillsStoryboardAndPreviews() {
        assertThat(RenditionSpec.defaults().sinks()).containsExactly("stills", "storyboard", "previews");
    }
}
