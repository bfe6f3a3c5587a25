package dev.convoy.benchmarks.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convoy.ingest.clip.ClipKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --clips DIR}: files named for a kind go to that kind, other files to every kind. */
class FleetClipsTest {

    @TempDir
    Path dir;

    private FleetOptions options(String mix) {
        return FleetOptions.parse(List.of("--data-dir", dir.toString(), "--clips", dir.resolve("clips").toString(), "--mix", mix));
    }

    @Test
    void clipsGoToTheirKindByName() throws Exception {
        Path clips = Files.createDirectories(dir.resolve("clips"));
        Files.write(clips.resolve("incident-crash.mp4"), new byte[] {1, 2, 3});
        Files.write(clips.resolve("Drive-monday.mp4"), new byte[] {4, 5});
        Files.write(clips.resolve("road.mp4"), new byte[] {6});
        FleetClips loaded = FleetClips.load(options("incident=1,manual=1,drive=1"), dir.resolve("unused"));
        assertThat(loaded.of(ClipKind.INCIDENT)).extracting(FleetClips.Clip::name).containsExactlyInAnyOrder("incident-crash.mp4", "road.mp4");
        assertThat(loaded.of(ClipKind.DRIVE)).extracting(FleetClips.Clip::name).containsExactlyInAnyOrder("Drive-monday.mp4", "road.mp4");
        assertThat(loaded.of(ClipKind.MANUAL)).extracting(FleetClips.Clip::name).containsExactly("road.mp4");
        assertThat(loaded.of(ClipKind.INCIDENT).get(0).sha256()).hasSize(64);
        assertThat(Files.exists(dir.resolve("unused"))).as("nothing generated").isFalse();
    }

    @Test
    void aKindInTheMixWithoutAClipIsRefused() throws Exception {
        Path clips = Files.createDirectories(dir.resolve("clips"));
        Files.write(clips.resolve("incident.mp4"), new byte[] {1});
        assertThatThrownBy(() -> FleetClips.load(options("incident=1,drive=1"), dir)).hasMessageContaining("no clip for kind drive");
        assertThat(FleetClips.load(options("incident=1"), dir).of(ClipKind.INCIDENT)).hasSize(1);
    }
}
