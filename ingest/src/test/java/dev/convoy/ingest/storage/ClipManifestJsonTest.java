package dev.convoy.ingest.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.ingest.clip.ClipKind;
import dev.convoy.ingest.clip.ClipMetadata;
import dev.convoy.ingest.clip.ClipStatus;
import dev.convoy.transcoder.ProbeFacts;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClipManifestJsonTest {

    private static final ClipMetadata INCIDENT = new ClipMetadata(ClipKind.INCIDENT, "front.mp4", "hard_brake", 4200,
            Instant.parse("2026-11-27T08:15:00Z"), "cam-clip-17");
    private static final ClipManifest.Original ORIGINAL = new ClipManifest.Original("clips/alice/0a/original.mp4", 12_345_678,
            "ab".repeat(32), "video/mp4");

    @Test
    void aReadyManifestRoundTripsWithItsRenditionsInOrder() {
        Map<String, ClipManifest.Rendition> renditions = new LinkedHashMap<>();
        renditions.put("poster", new ClipManifest.Rendition("clips/alice/0a/poster.jpg", "image/jpeg", 1280, 720, null));
        renditions.put("storyboard", new ClipManifest.Rendition("clips/alice/0a/storyboard.vtt", "text/vtt", 0, 0, null));
        renditions.put("preview", new ClipManifest.Rendition("clips/alice/0a/preview.mp4", "video/mp4", 640, 360, "libopenh264"));
        ProbeFacts probe = new ProbeFacts("mov,mp4,m4a,3gp,3g2,mj2", "h264", "High", 1920, 1080, 90, 29.97, true, 60_000,
                12_000_000, true, "aac", 1, "2026-11-27T08:15:00.000000Z");
        ClipManifest manifest = new ClipManifest(ClipManifest.VERSION, "0a".repeat(16), "alice", "cam-1", ClipStatus.READY,
                INCIDENT, ORIGINAL, Instant.parse("2026-11-27T08:16:00Z"), Instant.parse("2026-11-27T08:16:18.250Z"),
                Instant.parse("2026-11-27T08:16:20Z"), probe,
                renditions, new ClipManifest.Transcode(1800, 11_000, 19_000), null, null, List.of("index/alice/all/1", "index/alice/incident/1"));

        JsonObject json = ClipManifestJson.encode(manifest);
        ClipManifest back = ClipManifestJson.decode(new JsonObject(json.encodePrettily()));

        assertThat(back).isEqualTo(manifest);
        assertThat(back.renditions().keySet()).containsExactly("poster", "storyboard", "preview");
        assertThat(json.getJsonObject("renditions").getJsonObject("storyboard").containsKey("width"))
                .as("a rendition without a picture size says none").isFalse();
        assertThat(json.getJsonObject("renditions").getJsonObject("preview").getString("videoEncoder")).isEqualTo("libopenh264");
        assertThat(json.getJsonObject("probe").getString("audioCodec")).isEqualTo("aac");
        assertThat(back.durationMs()).isEqualTo(60_000);
    }

    @Test
    void aFailedManifestRoundTripsWithoutProbeOrRenditions() {
        ClipManifest manifest = new ClipManifest(ClipManifest.VERSION, "0b".repeat(16), "alice", "cam-1", ClipStatus.FAILED,
                INCIDENT, ORIGINAL, Instant.parse("2026-11-27T08:16:00Z"), null, Instant.parse("2026-11-27T08:16:20Z"), null,
                Map.of(), null, new ClipManifest.Failure("not_a_video", "The file is not a video."),
                Instant.parse("2027-01-26T08:16:00Z"), List.of("index/alice/all/2"));

        JsonObject json = ClipManifestJson.encode(manifest);

        assertThat(ClipManifestJson.decode(json)).isEqualTo(manifest);
        assertThat(json.fieldNames()).as("a manifest from before the last byte's time was kept reads back without it")
                .doesNotContain("probe", "renditions", "transcode", "lastByteAt");
        assertThat(json.getString("expiresAt")).isEqualTo("2027-01-26T08:16:00Z");
        assertThat(manifest.isExpiredAt(Instant.parse("2027-01-26T08:16:00Z"))).isTrue();
        assertThat(manifest.durationMs()).isZero();
    }

    @Test
    void theWrittenKeysKeepTheirDocumentedOrder() {
        ClipManifest manifest = new ClipManifest(ClipManifest.VERSION, "0c".repeat(16), "alice", "cam-1", ClipStatus.FAILED,
                INCIDENT, ORIGINAL, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH, null, Map.of(), null,
                new ClipManifest.Failure("truncated", "Cut short."), null, List.of());

        assertThat(ClipManifestJson.encode(manifest).fieldNames()).containsExactly("version", "clipId", "owner", "deviceId",
                "status", "metadata", "original", "uploadedAt", "lastByteAt", "committedAt", "failure", "expiresAt", "indexKeys");
    }
}
