package dev.convoy.ingest.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

class HeadTest extends TusTestBase {

    @Test
    void reportsOffsetLengthAndMetadataUncached() throws Exception {
        String id = create(500);
        send(patch(id, 0), bytes(200, 3));
        HttpResponse<Buffer> res = send(tus(HttpMethod.HEAD, "/files/" + id));
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.getHeader("Upload-Offset")).isEqualTo("200");
        assertThat(res.getHeader("Upload-Length")).isEqualTo("500");
        assertThat(res.getHeader("Upload-Metadata")).contains("filename " + b64("clip.mp4"));
        assertThat(res.getHeader("Cache-Control")).isEqualTo("no-store");
    }

    @Test
    void anotherDeviceOfTheSameOwnerSeesTheUpload() throws Exception {
        String id = create(500);
        HttpResponse<Buffer> res = send(tus(HttpMethod.HEAD, "/files/" + id)
                .bearerTokenAuthentication(server.deviceToken("alice", "phone-1")));
        assertThat(res.statusCode()).isEqualTo(200);
    }

    @Test
    void unknownAndOtherOwnersUploadsAreNotFound() throws Exception {
        String id = create(500);
        assertThat(send(tus(HttpMethod.HEAD, "/files/0123456789abcdef0123456789abcdef")).statusCode()).isEqualTo(404);
        HttpResponse<Buffer> other = send(tus(HttpMethod.HEAD, "/files/" + id)
                .bearerTokenAuthentication(server.deviceToken("bob", "cam-9")));
        assertThat(other.statusCode()).isEqualTo(404);
    }

    @Test
    void needsAToken() throws Exception {
        String id = create(500);
        HttpResponse<Buffer> res = send(tus(HttpMethod.HEAD, "/files/" + id).putHeader("Authorization", (String) null));
        assertThat(res.statusCode()).isEqualTo(401);
    }
}
