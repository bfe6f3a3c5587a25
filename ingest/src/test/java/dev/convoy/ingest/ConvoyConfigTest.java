package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.convoy.transcoder.RenditionSpec.PreviewSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConvoyConfigTest {

    @Test
    void defaultsServeOnPort8080WithEmbeddedStorageUnderData() {
        ConvoyConfig config = ConvoyConfig.from(List.of(), Map.of());
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.dataDir()).isEqualTo(Path.of("data").toAbsolutePath());
        assertThat(config.embeddedS3()).isTrue();
        assertThat(config.maxUploadSize()).isEqualTo(8L << 30);
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.transcodeWorkers()).isPositive();
    }

    @Test
    void environmentOverridesDefaultsAndFlagsOverrideEnvironment() {
        Map<String, String> env = Map.of("CONVOY_PORT", "9000", "CONVOY_S3_ENDPOINT", "http://minio:9000",
                "CONVOY_S3_BUCKET", "fleet", "CONVOY_S3_CHECKSUM", "when_required");
        ConvoyConfig config = ConvoyConfig.from(List.of("--port", "9100", "--data-dir=/var/convoy"), env);
        assertThat(config.port()).isEqualTo(9100);
        assertThat(config.dataDir()).isEqualTo(Path.of("/var/convoy"));
        assertThat(config.embeddedS3()).isFalse();
        assertThat(config.s3Endpoint()).isEqualTo("http://minio:9000");
        assertThat(config.s3Bucket()).isEqualTo("fleet");
        assertThat(config.s3ChecksumWhenRequired()).isTrue();
    }

    @Test
    void badInputIsRefusedWithASentenceNamingTheOption() {
        assertThatThrownBy(() -> ConvoyConfig.from(List.of("--prot", "1"), Map.of()))
                .hasMessageContaining("Unknown option --prot");
        assertThatThrownBy(() -> ConvoyConfig.from(List.of("--port", "eighty"), Map.of()))
                .hasMessageContaining("--port must be a whole number");
        assertThatThrownBy(() -> ConvoyConfig.from(List.of("--port"), Map.of()))
                .hasMessageContaining("needs a value");
        assertThatThrownBy(() -> ConvoyConfig.from(List.of(), Map.of("CONVOY_S3_CHECKSUM", "sometimes")))
                .hasMessageContaining("--s3-checksum");
        assertThatThrownBy(() -> ConvoyConfig.from(List.of("--previews", "preview=360p"), Map.of()))
                .hasMessageContaining("--previews").hasMessageContaining("NAME=HEIGHTp@KBITSk");
        assertThatThrownBy(() -> ConvoyConfig.from(List.of("--previews", "preview=360p@500k,preview=480p@900k"), Map.of()))
                .hasMessageContaining("--previews").hasMessageContaining("names must differ");
    }

    @Test
    void previewsAreData() {
        assertThat(ConvoyConfig.from(List.of(), Map.of()).previews()).containsExactly(
                new PreviewSpec("preview", 360, 30.0, 500_000, 64_000, 1));
        assertThat(ConvoyConfig.from(List.of("--previews", "preview=360p@500k,preview-480=480p@900k"), Map.of()).previews())
                .extracting(PreviewSpec::name, PreviewSpec::height)
                .containsExactly(tuple("preview", 360), tuple("preview-480", 480));
    }
}
