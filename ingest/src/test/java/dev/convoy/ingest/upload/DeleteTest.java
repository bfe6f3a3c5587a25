package dev.convoy.ingest.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class DeleteTest extends TusTestBase {

    @Test
    void terminatesAnUnfinishedUploadAndItsSpool() throws Exception {
        String id = create(1000);
        send(patch(id, 0), bytes(100, 4));
        assertThat(send(tus(HttpMethod.DELETE, "/files/" + id)).statusCode()).isEqualTo(204);
        assertThat(send(tus(HttpMethod.HEAD, "/files/" + id)).statusCode()).isEqualTo(404);
        assertThat(Files.exists(dataDir.resolve("uploads").resolve(id + ".bin"))).isFalse();
        assertThat(Files.exists(dataDir.resolve("uploads").resolve(id + ".json"))).isFalse();
    }

    @Test
    void unknownAndOtherOwnersUploadsAreNotFound() throws Exception {
        String id = create(1000);
        assertError(send(tus(HttpMethod.DELETE, "/files/0123456789abcdef0123456789abcdef")), 404, "ERR_UPLOAD_NOT_FOUND");
        assertError(send(tus(HttpMethod.DELETE, "/files/" + id).bearerTokenAuthentication(server.deviceToken("bob", "cam-9"))),
                404, "ERR_UPLOAD_NOT_FOUND");
        assertThat(offsetOf(id)).isZero();
    }

    @Test
    void aFinishedUploadCannotBeTerminated() throws Exception {
        String id = create(100);
        assertThat(send(patch(id, 0), bytes(100, 5)).statusCode()).isEqualTo(204);
        assertError(send(tus(HttpMethod.DELETE, "/files/" + id)), 403, "ERR_UPLOAD_FINISHED");
    }

    @Test
    void worksThroughMethodOverride() throws Exception {
        String id = create(1000);
        assertThat(send(tus(HttpMethod.POST, "/files/" + id).putHeader("X-HTTP-Method-Override", "DELETE")).statusCode())
                .isEqualTo(204);
        assertThat(send(tus(HttpMethod.HEAD, "/files/" + id)).statusCode()).isEqualTo(404);
    }
}
