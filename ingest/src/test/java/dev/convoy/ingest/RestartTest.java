package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.transcoder.TestClips;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestartTest {

    @TempDir
    Path dataDir;

    @Test
    void aCompletedUploadNotYetCommittedIsCommittedAfterARestart() throws Exception {
        String clipId;
        String token;
        // This process only takes uploads: the clip waits in the queue when it stops.
        try (TestServer first = TestServer.start(dataDir, "--transcode-workers", "0")) {
            token = first.deviceToken("alice", "cam-1");
            String url = Clips.upload(TestClips.fullHdSilent(), token, first.baseUrl() + "/files/", Map.of());
            clipId = url.substring(url.lastIndexOf('/') + 1);
            assertThat(status(first, clipId, token).getString("status")).isEqualTo("processing");
        }
        try (TestServer second = TestServer.start(dataDir)) {
            long deadline = System.nanoTime() + 120_000_000_000L;
            JsonObject clip;
            do {
                Thread.sleep(200);
                clip = status(second, clipId, token);
            } while (!clip.getString("status").equals("ready") && System.nanoTime() < deadline);
            assertThat(clip.getString("status")).isEqualTo("ready");
            assertThat(clip.getJsonObject("probe").getBoolean("hasAudio")).isFalse();
        }
    }

    @Test
    void aPartialUploadIsNotAClipBeforeOrAfterARestart() throws Exception {
        String partId;
        String token;
        try (TestServer first = TestServer.start(dataDir)) {
            token = first.deviceToken("alice", "cam-1");
            partId = createPartial(first, token);
            assertThat(statusCode(first, partId, token)).isEqualTo(404);
        }
        try (TestServer second = TestServer.start(dataDir)) {
            assertThat(statusCode(second, partId, token)).isEqualTo(404);
        }
    }

    private static String createPartial(TestServer server, String token) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            HttpResponse<Buffer> res = TestServer.await(WebClient.create(vertx).postAbs(server.baseUrl() + "/files/")
                    .putHeader("Tus-Resumable", "1.0.0").bearerTokenAuthentication(token)
                    .putHeader("Upload-Length", "100").putHeader("Upload-Concat", "partial").send());
            assertThat(res.statusCode()).isEqualTo(201);
            return res.getHeader("Location").substring(res.getHeader("Location").lastIndexOf('/') + 1);
        } finally {
            TestServer.await(vertx.close());
        }
    }

    private static int statusCode(TestServer server, String clipId, String token) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            return TestServer.await(WebClient.create(vertx).getAbs(server.baseUrl() + "/api/clips/" + clipId)
                    .bearerTokenAuthentication(token).send()).statusCode();
        } finally {
            TestServer.await(vertx.close());
        }
    }

    @Test
    void theBlockedThreadWatchSeesABlockedEventLoop() throws Exception {
        try (TestServer server = TestServer.start(dataDir)) {
            TestServer.await(server.vertx().getOrCreateContext().<Void>executeBlocking(() -> null));
            server.vertx().runOnContext(v -> sleep(700));
            Thread.sleep(1_200);
            assertThat(TestServer.takeBlockedThreadWarnings()).anyMatch(m -> m.contains("has been blocked"));
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static JsonObject status(TestServer server, String clipId, String token) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            HttpResponse<Buffer> res = TestServer.await(WebClient.create(vertx)
                    .getAbs(server.baseUrl() + "/api/clips/" + clipId).bearerTokenAuthentication(token).send());
            assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
            return res.bodyAsJsonObject();
        } finally {
            TestServer.await(vertx.close());
        }
    }
}
