package dev.convoy.ingest.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

class OptionsTest extends TusTestBase {

    @Test
    void advertisesVersionExtensionsAndMaxSizeWithoutAToken() throws Exception {
        HttpResponse<Buffer> res = send(web.requestAbs(HttpMethod.OPTIONS, server.baseUrl() + "/files/"));
        assertThat(res.statusCode()).isEqualTo(204);
        assertThat(res.getHeader("Tus-Resumable")).isEqualTo("1.0.0");
        assertThat(res.getHeader("Tus-Version")).isEqualTo("1.0.0");
        assertThat(res.getHeader("Tus-Extension").split(",")).containsExactlyInAnyOrder(
                "creation", "creation-with-upload", "termination");
        assertThat(res.getHeader("Tus-Max-Size")).isEqualTo(Long.toString(MAX_SIZE));
    }
}
