package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.ingest.upload.SpoolStore;
import dev.convoy.transcoder.TestClips;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
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

    @Test
    void aConcatenationWhosePartsCompletedJustBeforeACrashIsJoinedAtStart() throws Exception {
        String token;
        String a;
        String b;
        String fin;
        try (TestServer first = TestServer.start(dataDir, "--transcode-workers", "0")) {
            token = first.deviceToken("alice", "cam-concat");
            a = createPartial(first, token);
            b = createPartial(first, token);
            Vertx vertx = Vertx.vertx();
            try {
                WebClient web = WebClient.create(vertx);
                HttpResponse<Buffer> created = TestServer.await(web.postAbs(first.baseUrl() + "/files/")
                        .putHeader("Tus-Resumable", "1.0.0").bearerTokenAuthentication(token)
                        .putHeader("Upload-Concat", "final;/files/" + a + " /files/" + b).send());
                assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
                fin = created.getHeader("Location").substring(created.getHeader("Location").lastIndexOf('/') + 1);
                HttpResponse<Buffer> patched = TestServer.await(web.patchAbs(first.baseUrl() + "/files/" + a)
                        .putHeader("Tus-Resumable", "1.0.0").bearerTokenAuthentication(token)
                        .putHeader("Content-Type", "application/offset+octet-stream").putHeader("Upload-Offset", "0")
                        .sendBuffer(Buffer.buffer(new byte[100])));
                assertThat(patched.statusCode()).isEqualTo(204);
            } finally {
                TestServer.await(vertx.close());
            }
        }
        // The last part's bytes and offset were durable, then the process died before the join.
        Vertx offline = Vertx.vertx();
        try {
            SpoolStore store = TestServer.await(
                    SpoolStore.open(offline, dataDir.resolve("uploads"), 0));
            Files.write(store.spool(b), new byte[100]);
            TestServer.await(store.save(store.get(b).withOffset(100)));
        } finally {
            TestServer.await(offline.close());
        }
        try (TestServer second = TestServer.start(dataDir, "--transcode-workers", "0")) {
            Vertx vertx = Vertx.vertx();
            try {
                String finalUpload = fin;
                HttpResponse<Buffer> head = null;
                for (int i = 0; i < 50; i++) {
                    head = TestServer.await(WebClient.create(vertx).headAbs(second.baseUrl() + "/files/" + finalUpload)
                            .putHeader("Tus-Resumable", "1.0.0").bearerTokenAuthentication(token).send());
                    if ("200".equals(head.getHeader("Upload-Offset"))) {
                        break;
                    }
                    Thread.sleep(100);
                }
                assertThat(head.getHeader("Upload-Offset")).isEqualTo("200");
                assertThat(head.getHeader("Upload-Length")).isEqualTo("200");
                assertThat(Files.size(dataDir.resolve("uploads").resolve(finalUpload + ".bin"))).isEqualTo(200);
            } finally {
                TestServer.await(vertx.close());
            }
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
