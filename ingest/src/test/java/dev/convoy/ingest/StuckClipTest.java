package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A clip can always be got rid of by its owner, even one whose processing never ends. */
class StuckClipTest extends FreshServerTest {

    @Test
    void aClipStuckProcessingPastItsDeadlineCanStillBeDeletedByItsOwner() throws Exception {
        // Once a clip whose commit could never succeed answered 409 to its owner's delete for ever.
        try (TestServer server = TestServer.start(dir.resolve("data"), "--transcode-workers", "0")) {
            String cam = server.deviceToken("olga", "cam-1");
            String owner = server.ownerToken("olga");
            HttpResponse<Buffer> created = create(server, cam, 10);
            String id = created.getHeader("Location").substring(created.getHeader("Location").lastIndexOf('/') + 1);
            TestServer.await(tus(server, HttpMethod.PATCH, "/files/" + id, cam).putHeader("Upload-Offset", "0")
                    .putHeader("Content-Type", "application/offset+octet-stream").sendBuffer(Buffer.buffer(new byte[10])));
            String clip = server.baseUrl() + "/api/clips/" + id;
            assertThat(TestServer.await(web.getAbs(clip).bearerTokenAuthentication(owner).send()).bodyAsJsonObject()
                    .getString("status")).as("no worker: it waits in the queue").isEqualTo("processing");
            assertThat(TestServer.await(web.deleteAbs(clip).bearerTokenAuthentication(owner).send()).statusCode())
                    .as("being processed").isEqualTo(409);

            server.clock().advance(Duration.ofHours(13));

            assertThat(TestServer.await(web.deleteAbs(clip).bearerTokenAuthentication(owner).send()).statusCode()).isEqualTo(204);
            assertThat(TestServer.await(web.getAbs(clip).bearerTokenAuthentication(owner).send()).statusCode()).isEqualTo(404);
            assertThat(dir.resolve("data/uploads").resolve(id + ".bin")).doesNotExist();
        }
    }
}
