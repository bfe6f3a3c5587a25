package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tus-java-client's own habits, with the real client. */
class TusJavaClientTest {

    @TempDir
    Path dir;

    @Test
    void aFileThatIsAnExactMultipleOfTheRequestSizeFinishes() throws Exception {
        // The client then sends one more PATCH to the finished upload: chunked, empty, with
        // 'Expect: 100-continue'. It must get 204, after its (empty) body, or HttpURLConnection hangs.
        try (TestServer server = TestServer.start(dir.resolve("data"), "--transcode-workers", "0")) {
            Path file = dir.resolve("exact.bin");
            byte[] bytes = new byte[2 << 20];
            new Random(3).nextBytes(bytes);
            Files.write(file, bytes);
            String token = server.deviceToken("alice", "cam-exact");
            String url = Clips.upload(file, token, server.baseUrl() + "/files/", Map.of(), new int[0]);

            Vertx vertx = Vertx.vertx();
            try {
                HttpResponse<Buffer> head = TestServer.await(WebClient.create(vertx).headAbs(url)
                        .putHeader("Tus-Resumable", "1.0.0").bearerTokenAuthentication(token).send());
                assertThat(head.getHeader("Upload-Offset")).isEqualTo(Integer.toString(bytes.length));
            } finally {
                TestServer.await(vertx.close());
            }
        }
    }
}
