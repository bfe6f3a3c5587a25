package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.transcoder.TestClips;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives expire 60 days after upload, other clips are kept; the sweep deletes what expired (S3Proxy has no lifecycle rules). */
class RetentionTest {

    @TempDir
    Path dataDir;

    @Test
    void aDriveExpiresAfterSixtyDaysAndAnIncidentStays() throws Exception {
        try (LiveService live = LiveService.start(dataDir, "--retention-sweep-interval", "1")) {
            String device = live.server().deviceToken("erin", "cam-1");
            String owner = live.server().ownerToken("erin");
            Path clip = TestClips.get(TestClips.Spec.small(320, 240, 1));
            String drive = Clips.idOf(Clips.upload(clip, device, live.server().baseUrl() + "/files/", Map.of("kind", "drive")));
            String incident = Clips.idOf(Clips.upload(clip, device, live.server().baseUrl() + "/files/",
                    Map.of("kind", "incident", "clientClipId", "cam-1/incident")));
            JsonObject driveView = live.clips().awaitCommitted(drive, owner);
            JsonObject incidentView = live.clips().awaitCommitted(incident, owner);

            Instant uploaded = Instant.parse(driveView.getString("createdAt"));
            assertThat(Instant.parse(driveView.getString("expiresAt")))
                    .isBetween(uploaded.plus(Duration.ofDays(60)), uploaded.plus(Duration.ofDays(60)).plusSeconds(1));
            assertThat(incidentView.getString("expiresAt")).as("incidents are kept forever").isNull();
            JsonArray items = live.api().send(HttpMethod.GET, "/api/clips", owner, null).bodyAsJsonObject().getJsonArray("items");
            assertThat(items.stream().map(JsonObject.class::cast).filter(i -> i.getString("id").equals(drive)).findFirst()
                    .orElseThrow().getString("expiresAt")).isEqualTo(driveView.getString("expiresAt"));
            Path objects = dataDir.resolve("objects/convoy");
            JsonObject manifest = new JsonObject(Files.readString(objects.resolve("clips/erin/" + drive + "/manifest.json")));
            assertThat(manifest.getString("expiresAt")).isEqualTo(driveView.getString("expiresAt"));
            assertThat(markers(objects)).hasSize(1);
            assertThat(dataDir.resolve("uploads").resolve(drive + ".json")).exists();

            live.server().clock().advance(Duration.ofDays(59));
            Thread.sleep(1500);
            assertThat(live.api().send(HttpMethod.GET, "/api/clips/" + drive, owner, null).statusCode()).as("day 59").isEqualTo(200);

            live.server().clock().advance(Duration.ofDays(1).plusMinutes(1));
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (Files.exists(objects.resolve("clips/erin/" + drive)) || !markers(objects).isEmpty()) {
                assertThat(System.nanoTime()).as("the sweep deleted the expired drive").isLessThan(deadline);
                Thread.sleep(200);
            }
            assertThat(live.api().send(HttpMethod.GET, "/api/clips/" + drive, owner, null).statusCode()).isEqualTo(404);
            long stateDeadline = System.nanoTime() + 5_000_000_000L;
            while (Files.exists(dataDir.resolve("uploads").resolve(drive + ".json"))) {
                assertThat(System.nanoTime()).as("the upload state went with the clip").isLessThan(stateDeadline);
                Thread.sleep(100);
            }
            assertThat(dataDir.resolve("uploads").resolve(incident + ".json")).exists();
            JsonArray after = live.api().send(HttpMethod.GET, "/api/clips", owner, null).bodyAsJsonObject().getJsonArray("items");
            assertThat(after.encode()).doesNotContain(drive).contains(incident);
            assertThat(live.api().send(HttpMethod.GET, "/api/clips/" + incident, owner, null).statusCode()).isEqualTo(200);
            assertThat(live.web().getAbs(live.clips().absolute(driveView.getJsonObject("urls").getString("preview"))).send()
                    .toCompletionStage().toCompletableFuture().get().statusCode()).as("its URLs stop working").isEqualTo(404);
            String metrics = TestServer.await(live.web().getAbs(live.server().managementUrl() + "/metrics").send()).bodyAsString();
            assertThat(metrics).contains("convoy_retention_expired_total 1.0");
        }
    }

    private static List<Path> markers(Path objects) throws Exception {
        Path dir = objects.resolve("expiry");
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
