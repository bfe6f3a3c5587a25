package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** README.md's configuration table lists every setting the service reads. */
class ReadmeTest {

    @Test
    void everySettingIsDocumentedWithItsFlagAndEnvironmentVariable() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (ConvoyConfig.Setting s : ConvoyConfig.SETTINGS) {
            assertThat(readme).as("README documents --%s", s.flag())
                    .contains("| `--" + s.flag() + "` | `" + s.env() + "` |");
        }
    }
}
