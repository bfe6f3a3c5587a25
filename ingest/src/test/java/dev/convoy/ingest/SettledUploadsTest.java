package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What a server keeps does not grow with its history: committed clips' uploads are forgotten, and still answered. */
class SettledUploadsTest extends FreshServerTest {

    @Test
    void aCommittedUploadIsForgottenAfterTheExpiryAndItsClientIsStillAnsweredAsComplete() throws Exception {
        // Once every committed upload's state stayed on disk and in memory for ever, and each creation read all of it.
        Path data = dir.resolve("data");
        try (TestServer server = TestServer.start(data, "--upload-expiry", "6")) {
            String cam = server.deviceToken("ines", "cam-1");
            String owner = server.ownerToken("ines");
            byte[] body = new byte[500];
            new Random(7).nextBytes(body);
            HttpResponse<Buffer> created = TestServer.await(tus(server, HttpMethod.POST, "/files/", cam)
                    .putHeader("Upload-Length", "500")
                    .putHeader("Upload-Metadata", "clientClipId " + Base64.getEncoder().encodeToString("c-1".getBytes(StandardCharsets.UTF_8)))
                    .send());
            String path = created.getHeader("Location").substring(created.getHeader("Location").indexOf("/files/"));
            String id = path.substring("/files/".length());
            assertThat(TestServer.await(tus(server, HttpMethod.PATCH, path, cam).putHeader("Upload-Offset", "0")
                    .putHeader("Content-Type", "application/offset+octet-stream").sendBuffer(Buffer.buffer(body))).statusCode())
                    .isEqualTo(204);
            String clip = server.baseUrl() + "/api/clips/" + id;
            // Not a video: the clip is committed as failed, with a manifest like any other.
            String status = "processing";
            for (int i = 0; i < 300 && !"failed".equals(status); i++) {
                Thread.sleep(100);
                status = TestServer.await(web.getAbs(clip).bearerTokenAuthentication(owner).send()).bodyAsJsonObject().getString("status");
            }
            assertThat(status).isEqualTo("failed");

            Path state = data.resolve("uploads").resolve(id + ".json");
            assertThat(state).as("kept until the expiry has passed since the last byte").exists();
            HttpResponse<Buffer> kept = TestServer.await(tus(server, HttpMethod.HEAD, path, cam).send());
            assertThat(kept.getHeader("Upload-Metadata")).as("answered from the kept upload").isNotNull();
            for (int i = 0; i < 150 && Files.exists(state); i++) {
                Thread.sleep(100);
            }
            assertThat(state).as("forgotten once the expiry has passed since the last byte").doesNotExist();
            assertThat(data.resolve("uploads").resolve(id + ".offset")).doesNotExist();

            HttpResponse<Buffer> head = TestServer.await(tus(server, HttpMethod.HEAD, path, cam).send());
            assertThat(head.statusCode()).as("answered from the catalog, never a 404 that restarts the camera").isEqualTo(200);
            assertThat(head.getHeader("Upload-Offset")).isEqualTo("500");
            assertThat(head.getHeader("Upload-Length")).isEqualTo("500");
            assertThat(head.getHeader("Upload-Expires")).isNull();

            HttpResponse<Buffer> lastAgain = TestServer.await(tus(server, HttpMethod.PATCH, path, cam).putHeader("Upload-Offset", "500")
                    .putHeader("Content-Type", "application/offset+octet-stream").sendBuffer(Buffer.buffer()));
            assertThat(lastAgain.statusCode()).as("an empty PATCH at the end changes nothing").isEqualTo(204);
            assertThat(lastAgain.getHeader("Upload-Offset")).isEqualTo("500");
            HttpResponse<Buffer> more = TestServer.await(tus(server, HttpMethod.PATCH, path, cam).putHeader("Upload-Offset", "500")
                    .putHeader("Content-Type", "application/offset+octet-stream").sendBuffer(Buffer.buffer("x")));
            assertThat(more.statusCode()).isEqualTo(403);
            assertThat(more.bodyAsString()).startsWith("ERR_UPLOAD_FINISHED: ");
            HttpResponse<Buffer> rewind = TestServer.await(tus(server, HttpMethod.PATCH, path, cam).putHeader("Upload-Offset", "0")
                    .putHeader("Content-Type", "application/offset+octet-stream").sendBuffer(Buffer.buffer(body)));
            assertThat(rewind.statusCode()).isEqualTo(409);
            assertThat(rewind.bodyAsString()).startsWith("ERR_MISMATCHED_OFFSET: ");
            HttpResponse<Buffer> terminate = TestServer.await(tus(server, HttpMethod.DELETE, path, cam).send());
            assertThat(terminate.statusCode()).isEqualTo(403);

            String stranger = server.deviceToken("mallory", "cam-9");
            assertThat(TestServer.await(tus(server, HttpMethod.HEAD, path, stranger).send()).statusCode())
                    .as("another owner learns nothing").isEqualTo(404);
            assertThat(TestServer.await(tus(server, HttpMethod.HEAD, "/files/" + "0".repeat(32), cam).send()).statusCode())
                    .isEqualTo(404);

            // Its record is in the object store: while that is away, the answer is "later", never a 404.
            server.objectStore().stop();
            try {
                HttpResponse<Buffer> away = TestServer.await(tus(server, HttpMethod.HEAD, path, cam).send());
                assertThat(away.statusCode()).isEqualTo(503);
                assertThat(away.getHeader("Retry-After")).isEqualTo("5");
                HttpResponse<Buffer> awayPatch = TestServer.await(tus(server, HttpMethod.PATCH, path, cam).putHeader("Upload-Offset", "500")
                        .putHeader("Content-Type", "application/offset+octet-stream").sendBuffer(Buffer.buffer()));
                assertThat(awayPatch.bodyAsString()).startsWith("ERR_STATE_UNAVAILABLE: ");
            } finally {
                server.objectStore().restart();
            }
            assertThat(TestServer.await(tus(server, HttpMethod.HEAD, path, cam).send()).statusCode()).isEqualTo(200);

            assertThat(TestServer.await(web.getAbs(clip).bearerTokenAuthentication(owner).send()).bodyAsJsonObject()
                    .getString("status")).as("the clip itself is untouched").isEqualTo("failed");
            assertThat(TestServer.await(web.deleteAbs(clip).bearerTokenAuthentication(owner).send()).statusCode()).isEqualTo(204);
            assertThat(TestServer.await(tus(server, HttpMethod.HEAD, path, cam).send()).statusCode())
                    .as("deleted with its clip").isEqualTo(404);
        }
    }

    @Test
    void anUploadWhoseClipIsNotCommittedIsNeverForgotten() throws Exception {
        Path data = dir.resolve("data");
        // No worker: the clip stays processing, its upload complete and older than the expiry.
        try (TestServer server = TestServer.start(data, "--upload-expiry", "1", "--transcode-workers", "0")) {
            String cam = server.deviceToken("ines", "cam-1");
            HttpResponse<Buffer> created = create(server, cam, 10);
            String path = created.getHeader("Location").substring(created.getHeader("Location").indexOf("/files/"));
            assertThat(TestServer.await(tus(server, HttpMethod.PATCH, path, cam).putHeader("Upload-Offset", "0")
                    .putHeader("Content-Type", "application/offset+octet-stream").sendBuffer(Buffer.buffer(new byte[10]))).statusCode())
                    .isEqualTo(204);
            Thread.sleep(4_000);
            assertThat(data.resolve("uploads").resolve(path.substring("/files/".length()) + ".json"))
                    .as("four sweeps later: its bytes are still needed").exists();
            HttpResponse<Buffer> head = TestServer.await(tus(server, HttpMethod.HEAD, path, cam).send());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.getHeader("Upload-Offset")).isEqualTo("10");
        }
    }
}
