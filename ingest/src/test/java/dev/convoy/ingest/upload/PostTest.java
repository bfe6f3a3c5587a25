package dev.convoy.ingest.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class PostTest extends TusTestBase {

    static Stream<Arguments> refusals() {
        return Stream.of(
                refusal("no Tus-Resumable", r -> r.putHeader("Upload-Length", "10").putHeader("Tus-Resumable", (String) null), 412, "ERR_UNSUPPORTED_VERSION"),
                refusal("old Tus-Resumable", r -> r.putHeader("Upload-Length", "10").putHeader("Tus-Resumable", "0.2.2"), 412, "ERR_UNSUPPORTED_VERSION"),
                refusal("no token", r -> r.putHeader("Upload-Length", "10").putHeader("Authorization", (String) null), 401, "ERR_UNAUTHORIZED"),
                refusal("forged token", r -> r.putHeader("Upload-Length", "10").bearerTokenAuthentication("not.a.jwt"), 401, "ERR_UNAUTHORIZED"),
                refusal("no Upload-Length", r -> r, 400, "ERR_INVALID_UPLOAD_LENGTH"),
                refusal("negative Upload-Length", r -> r.putHeader("Upload-Length", "-5"), 400, "ERR_INVALID_UPLOAD_LENGTH"),
                refusal("garbage Upload-Length", r -> r.putHeader("Upload-Length", "ten"), 400, "ERR_INVALID_UPLOAD_LENGTH"),
                refusal("deferred length", r -> r.putHeader("Upload-Defer-Length", "1"), 400, "ERR_INVALID_UPLOAD_LENGTH"),
                refusal("over Tus-Max-Size", r -> r.putHeader("Upload-Length", Long.toString(MAX_SIZE + 1)), 413, "ERR_MAX_SIZE_EXCEEDED"),
                refusal("metadata not base64", r -> r.putHeader("Upload-Length", "10").putHeader("Upload-Metadata", "filename !!!"), 400, "ERR_INVALID_METADATA"),
                refusal("unknown kind", r -> r.putHeader("Upload-Length", "10").putHeader("Upload-Metadata", "kind " + b64("parking")), 400, "ERR_INVALID_METADATA"),
                refusal("bad recordedAt", r -> r.putHeader("Upload-Length", "10").putHeader("Upload-Metadata", "recordedAt " + b64("yesterday")), 400, "ERR_INVALID_METADATA"),
                refusal("bad eventOffsetMs", r -> r.putHeader("Upload-Length", "10").putHeader("Upload-Metadata", "eventOffsetMs " + b64("-3")), 400, "ERR_INVALID_METADATA"));
    }

    private static Arguments refusal(String name, UnaryOperator<HttpRequest<Buffer>> request, int status, String code) {
        return Arguments.of(name, request, status, code);
    }

    @ParameterizedTest(name = "{0} -> {2} {3}")
    @MethodSource("refusals")
    void refusesBadCreations(String name, UnaryOperator<HttpRequest<Buffer>> request, int status, String code) throws Exception {
        HttpResponse<Buffer> res = send(request.apply(tus(HttpMethod.POST, "/files/")));
        assertError(res, status, code);
        if (status == 401) {
            assertThat(res.getHeader("WWW-Authenticate")).isEqualTo("Bearer");
        }
    }

    @Test
    void createsAnUploadWithAnAbsoluteLocation() throws Exception {
        HttpResponse<Buffer> res = send(tus(HttpMethod.POST, "/files/").putHeader("Upload-Length", "3000")
                .putHeader("Upload-Metadata", "filename " + b64("a.mp4") + ",kind " + b64("incident") + ",eventOffsetMs " + b64("1200")
                        + ",recordedAt " + b64("2026-11-27T08:15:00+01:00") + ",clientClipId " + b64("cam-1/7") + ",flag"));
        assertThat(res.statusCode()).isEqualTo(201);
        assertThat(res.getHeader("Location")).matches("http://127\\.0\\.0\\.1:\\d+/files/[0-9a-f]{32}");
        String id = res.getHeader("Location").substring(res.getHeader("Location").lastIndexOf('/') + 1);
        assertThat(offsetOf(id)).isZero();
    }

    @Test
    void creationWithUploadStoresTheFirstChunk() throws Exception {
        Buffer first = bytes(1000, 1);
        HttpResponse<Buffer> res = send(tus(HttpMethod.POST, "/files/").putHeader("Upload-Length", "3000")
                .putHeader("Content-Type", "application/offset+octet-stream"), first);
        assertThat(res.statusCode()).isEqualTo(201);
        assertThat(res.getHeader("Upload-Offset")).isEqualTo("1000");
        String id = res.getHeader("Location").substring(res.getHeader("Location").lastIndexOf('/') + 1);
        assertThat(offsetOf(id)).isEqualTo(1000);
        assertThat(java.nio.file.Files.readAllBytes(dataDir.resolve("uploads").resolve(id + ".bin"))).isEqualTo(first.getBytes());
    }

    @Test
    void creationWithUploadNeedsTheOffsetContentType() throws Exception {
        HttpResponse<Buffer> res = send(tus(HttpMethod.POST, "/files/").putHeader("Upload-Length", "3000")
                .putHeader("Content-Type", "video/mp4"), bytes(100, 2));
        assertError(res, 415, "ERR_INVALID_CONTENT_TYPE");
    }
}
