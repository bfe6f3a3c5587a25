package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The seams along the clip's path hold: a package reaches only the packages it is meant to. */
class PackageBoundariesTest {

    private static final Path MAIN = Path.of("src/main/java/dev/convoy/ingest");

    @Test
    void theTusProtocolKnowsNothingOfClipsCatalogAuthOrStorage() throws IOException {
        assertThat(convoyImports("tus")).as("the tus package may import only its own types").isEmpty();
    }

    @Test
    void theUploadStageNeverReachesDownThePath() throws IOException {
        assertThat(convoyImports("upload")).noneMatch(i -> i.matches("dev\\.convoy\\.ingest\\.(pipeline|transcode|storage|catalog)\\..*"));
    }

    @Test
    void storageAndCatalogNeverReachBackIntoUploadsOrTheProtocol() throws IOException {
        for (String pkg : List.of("storage", "catalog", "transcode", "pipeline")) {
            assertThat(convoyImports(pkg)).as(pkg).noneMatch(i -> i.startsWith("dev.convoy.ingest.tus."));
        }
        assertThat(convoyImports("storage")).noneMatch(i -> i.startsWith("dev.convoy.ingest.upload."));
        assertThat(convoyImports("catalog")).noneMatch(i -> i.startsWith("dev.convoy.ingest.upload."));
    }

    /** The imports of other Convoy ingest packages in {@code pkg}'s main sources. */
    private static List<String> convoyImports(String pkg) throws IOException {
        Path dir = MAIN.resolve(pkg);
        assertThat(dir).isDirectory();
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java"))
                    .flatMap(PackageBoundariesTest::lines)
                    .filter(l -> l.startsWith("import dev.convoy.ingest."))
                    .map(l -> l.substring("import ".length(), l.length() - 1))
                    .filter(i -> !i.startsWith("dev.convoy.ingest." + pkg + "."))
                    .distinct()
                    .toList();
        }
    }

    private static Stream<String> lines(Path file) {
        try {
            return Files.readAllLines(file).stream().map(String::trim);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
