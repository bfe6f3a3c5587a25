package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.convoy.ingest.clip.ClipKind;
import dev.convoy.ingest.clip.Retention;
import dev.convoy.transcoder.RenditionSpec.PreviewSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
        assertThatThrownBy(() -> ConvoyConfig.from(List.of("--retention", "drive=sixty"), Map.of()))
                .hasMessageContaining("--retention").hasMessageContaining("KIND=DAYS");
        assertThatThrownBy(() -> ConvoyConfig.from(List.of("--retention", "trip=60"), Map.of()))
                .hasMessageContaining("--retention");
        assertThatThrownBy(() -> ConvoyConfig.from(List.of("--sms-sender", "carrier-pigeon"), Map.of()))
                .hasMessageContaining("--sms-sender must be log or sns");
        assertThatThrownBy(() -> ConvoyConfig.from(List.of("--s3-part-size", "1048576"), Map.of()))
                .hasMessageContaining("5 MiB");
        assertThatThrownBy(() -> ConvoyConfig.from(List.of("--s3-upload-concurrency", "0"), Map.of()))
                .hasMessageContaining("--s3-upload-concurrency");
    }

    @Test
    void metricsAndHealthHaveTheirOwnLoopbackPortUnlessPublicIsAskedFor() {
        ConvoyConfig defaults = ConvoyConfig.from(List.of(), Map.of());
        assertThat(defaults.managementPort()).isEqualTo(8081);
        assertThat(defaults.managementHost()).isEqualTo("127.0.0.1");
        assertThat(defaults.managementOnPublicPort()).isFalse();
        ConvoyConfig kubernetes = ConvoyConfig.from(List.of("--management-host", "0.0.0.0", "--management-port", "9464"), Map.of());
        assertThat(kubernetes.managementPort()).isEqualTo(9464);
        assertThat(kubernetes.managementHost()).isEqualTo("0.0.0.0");
        assertThat(ConvoyConfig.from(List.of("--management-port", "public"), Map.of()).managementOnPublicPort()).isTrue();
        assertThatThrownBy(() -> ConvoyConfig.from(List.of("--management-port", "8080"), Map.of()))
                .hasMessageContaining("--management-port public");
        assertThatThrownBy(() -> ConvoyConfig.from(List.of("--management-port", "65536"), Map.of()))
                .hasMessageContaining("from 0 to 65535");
        assertThatThrownBy(() -> ConvoyConfig.from(List.of("--management-port", "loopback"), Map.of()))
                .hasMessageContaining("a port number or public, not 'loopback'");
    }

    @Test
    void retentionIsByKindInDays() {
        Instant uploaded = Instant.parse("2026-11-27T10:00:00Z");
        Retention byDefault = ConvoyConfig.from(List.of(), Map.of()).retention();
        assertThat(byDefault.expiresAt(ClipKind.DRIVE, uploaded)).isEqualTo(Instant.parse("2027-01-26T10:00:00Z"));
        assertThat(byDefault.expiresAt(ClipKind.INCIDENT, uploaded)).isNull();
        assertThat(byDefault.expiresAt(ClipKind.MANUAL, uploaded)).isNull();
        Retention custom = ConvoyConfig.from(List.of("--retention", "drive=0, manual=7"), Map.of()).retention();
        assertThat(custom.expiresAt(ClipKind.DRIVE, uploaded)).as("0 keeps forever").isNull();
        assertThat(custom.expiresAt(ClipKind.MANUAL, uploaded.plusMillis(1))).as("rounded up to whole seconds")
                .isEqualTo(Instant.parse("2026-12-04T10:00:01Z"));
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
