package dev.convoy.ingest.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class OptionsTest extends TusTestBase {

    @Test
    void advertisesVersionExtensionsAndMaxSizeWithoutAToken() throws Exception {
        HttpResponse<Buffer> res = send(web.requestAbs(HttpMethod.OPTIONS, server.baseUrl() + "/files/"));
        assertThat(res.statusCode()).isEqualTo(204);
        assertThat(res.getHeader("Tus-Resumable")).isEqualTo("1.0.0");
        assertThat(res.getHeader("Tus-Version")).isEqualTo("1.0.0");
        assertThat(res.getHeader("Tus-Extension").split(",")).containsExactlyInAnyOrder(
                "creation", "creation-with-upload", "creation-defer-length", "termination", "expiration",
                "checksum", "checksum-trailer", "concatenation", "concatenation-unfinished");
        assertThat(res.getHeader("Tus-Checksum-Algorithm").split(",")).containsExactlyInAnyOrder("md5", "sha1", "sha256");
        assertThat(res.getHeader("Tus-Max-Size")).isEqualTo(Long.toString(MAX_SIZE));
    }

    @Test
    void answersBrowserPreflightsAndExposesTheTusHeaders() throws Exception {
        HttpResponse<Buffer> preflight = send(web.requestAbs(HttpMethod.OPTIONS, server.baseUrl() + "/files/")
                .putHeader("Origin", "https://app.example")
                .putHeader("Access-Control-Request-Method", "POST")
                .putHeader("Access-Control-Request-Headers", "tus-resumable,upload-length,upload-metadata,authorization"));
        assertThat(preflight.statusCode()).isBetween(200, 204);
        assertThat(preflight.getHeader("Access-Control-Allow-Origin")).isIn("*", "https://app.example");
        assertThat(preflight.getHeader("Access-Control-Allow-Methods")).contains("PATCH");
        assertThat(preflight.getHeader("Access-Control-Allow-Headers").toLowerCase(Locale.ROOT)).contains("upload-length", "tus-resumable");

        HttpResponse<Buffer> post = send(tus(HttpMethod.POST, "/files/").putHeader("Origin", "https://app.example")
                .putHeader("Upload-Length", "10"));
        assertThat(post.statusCode()).isEqualTo(201);
        assertThat(post.getHeader("Access-Control-Expose-Headers")).contains("Location", "Upload-Offset", "Upload-Expires");
    }

    @Test
    void unknownMethodsAreRefused() throws Exception {
        String id = create(10);
        assertThat(send(tus(HttpMethod.PUT, "/files/" + id)).statusCode()).isEqualTo(405);
    }
}
