package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.transcoder.TestClips;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The object store goes away for 30 s: uploads still land, commits wait and retry, nothing is lost. */
class StoreOutageTest {

    @TempDir
    Path dataDir;

    @Test
    void commitsWaitForTheStoreAndLoseNothing() throws Exception {
        try (LiveService live = LiveService.start(dataDir)) {
            String device = live.server().deviceToken("finn", "cam-1");
            String owner = live.server().ownerToken("finn");
            Path clip = TestClips.get(TestClips.Spec.small(320, 240, 2));

            live.server().objectStore().stop();
            long stoppedAt = System.nanoTime();
            String id = Clips.idOf(Clips.upload(clip, device, live.server().baseUrl() + "/files/", Map.of("kind", "incident")));
            HttpResponse<Buffer> during = TestServer.await(live.web().getAbs(live.server().baseUrl() + "/api/clips/" + id)
                    .bearerTokenAuthentication(owner).send());
            assertThat(during.bodyAsJsonObject().getString("status")).isEqualTo("processing");

            JsonObject ready = null;
            while (System.nanoTime() - stoppedAt < 30_000_000_000L) {
                HttpResponse<Buffer> probe = TestServer.await(live.web().getAbs(live.server().managementUrl() + "/health/ready").send());
                if (probe.statusCode() == 503) {
                    ready = probe.bodyAsJsonObject();
                }
                Thread.sleep(500);
            }
            assertThat(ready).as("readiness reported the store down").isNotNull();
            assertThat(ready.getJsonObject("checks").getString("objectStore")).isEqualTo("DOWN");
            String metrics = TestServer.await(live.web().getAbs(live.server().managementUrl() + "/metrics").send()).bodyAsString();
            assertThat(retries(metrics)).as("commit retried while the store was away").isGreaterThan(0);

            live.server().objectStore().restart();
            JsonObject committed = live.clips().awaitCommitted(id, owner);
            assertThat(committed.getString("status")).isEqualTo("ready");
            assertThat(committed.getString("sha256")).isEqualTo(Clips.sha256(Files.readAllBytes(clip)));
            assertThat(live.clips().download(committed.getJsonObject("urls").getString("original")).getBytes())
                    .isEqualTo(Files.readAllBytes(clip));
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (TestServer.await(live.web().getAbs(live.server().managementUrl() + "/health/ready").send()).statusCode() != 200) {
                assertThat(System.nanoTime()).as("ready again").isLessThan(deadline);
                Thread.sleep(250);
            }
        }
    }

    private static double retries(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("convoy_commit_retries_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
