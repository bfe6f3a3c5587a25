package dev.convoy.ingest.upload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.ingest.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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
                refusal("Upload-Defer-Length not 1", r -> r.putHeader("Upload-Defer-Length", "2"), 400, "ERR_INVALID_UPLOAD_LENGTH"),
                refusal("overflowing Upload-Length", r -> r.putHeader("Upload-Length", "99999999999999999999"), 400, "ERR_INVALID_UPLOAD_LENGTH"),
                refusal("unknown Upload-Concat", r -> r.putHeader("Upload-Length", "10").putHeader("Upload-Concat", "whole"), 400, "ERR_INVALID_CONCAT"),
                refusal("final of unknown parts", r -> r.putHeader("Upload-Concat", "final;/files/0123456789abcdef0123456789abcdef"), 400, "ERR_INVALID_CONCAT"),
                refusal("final of path traversal", r -> r.putHeader("Upload-Concat", "final;/files/../../etc/passwd"), 400, "ERR_INVALID_CONCAT"),
                refusal("metadata over the limit", r -> r.putHeader("Upload-Length", "10").putHeader("Upload-Metadata", "filename " + b64("x".repeat(4000))), 400, "ERR_METADATA_TOO_LARGE"),
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
    void aHugeHeaderBlockIsRefusedWith431() throws Exception {
        // Its own client: the server closes the connection after a 431, which must not break the shared pool.
        WebClient own = WebClient.create(vertx);
        try {
            HttpResponse<Buffer> res = TestServer.await(own.postAbs(server.baseUrl() + "/files/")
                    .putHeader("Tus-Resumable", "1.0.0").bearerTokenAuthentication(aliceCam)
                    .putHeader("Upload-Length", "10").putHeader("X-Padding", "p".repeat(20_000)).send());
            assertThat(res.statusCode()).isEqualTo(431);
        } finally {
            own.close();
        }
    }

    @Test
    void aDeferredLengthIsDeclaredByALaterPatch() throws Exception {
        HttpResponse<Buffer> res = send(tus(HttpMethod.POST, "/files/").putHeader("Upload-Defer-Length", "1"));
        assertThat(res.statusCode()).isEqualTo(201);
        String id = res.getHeader("Location").substring(res.getHeader("Location").lastIndexOf('/') + 1);
        HttpResponse<Buffer> head = send(tus(HttpMethod.HEAD, "/files/" + id));
        assertThat(head.getHeader("Upload-Defer-Length")).isEqualTo("1");
        assertThat(head.getHeader("Upload-Length")).isNull();

        assertThat(send(patch(id, 0), bytes(300, 1)).getHeader("Upload-Offset")).isEqualTo("300");
        assertError(send(patch(id, 300).putHeader("Upload-Length", "200"), bytes(10, 1)), 400, "ERR_INVALID_UPLOAD_LENGTH");
        HttpResponse<Buffer> last = send(patch(id, 300).putHeader("Upload-Length", "500"), bytes(200, 2));
        assertThat(last.statusCode()).isEqualTo(204);
        assertThat(last.getHeader("Upload-Offset")).isEqualTo("500");
        HttpResponse<Buffer> done = send(tus(HttpMethod.HEAD, "/files/" + id));
        assertThat(done.getHeader("Upload-Length")).isEqualTo("500");
        assertThat(done.getHeader("Upload-Defer-Length")).isNull();
    }

    @Test
    void aDeferredLengthDeclaredByAnEmptyPatchAtTheEndCompletesTheUpload() throws Exception {
        // Streaming clients (tus-js-client with uploadLengthDeferred) declare the length last, with no bytes.
        HttpResponse<Buffer> res = send(tus(HttpMethod.POST, "/files/").putHeader("Upload-Defer-Length", "1"));
        String id = res.getHeader("Location").substring(res.getHeader("Location").lastIndexOf('/') + 1);
        assertThat(send(patch(id, 0), bytes(300, 4)).getHeader("Upload-Offset")).isEqualTo("300");

        HttpResponse<Buffer> declared = send(patch(id, 300).putHeader("Upload-Length", "300"), Buffer.buffer());

        assertThat(declared.statusCode()).isEqualTo(204);
        HttpResponse<Buffer> head = send(tus(HttpMethod.HEAD, "/files/" + id));
        assertThat(head.getHeader("Upload-Length")).isEqualTo("300");
        assertThat(head.getHeader("Upload-Defer-Length")).isNull();
        assertThat(head.getHeader("Upload-Expires")).as("a complete upload does not expire").isNull();
        assertClipLeavesProcessing(id);
    }

    @Test
    void anEmptyUploadIsCompleteAtOnceAndGoesDownThePath() throws Exception {
        HttpResponse<Buffer> res = send(tus(HttpMethod.POST, "/files/").putHeader("Upload-Length", "0")
                .putHeader("Upload-Metadata", "kind " + b64("manual")));

        assertThat(res.statusCode()).isEqualTo(201);
        String id = res.getHeader("Location").substring(res.getHeader("Location").lastIndexOf('/') + 1);
        assertThat(offsetOf(id)).isZero();
        assertClipLeavesProcessing(id);
    }

    /** The clip is handed down the path: it ends failed (nothing to decode in these bytes), never stuck processing. */
    private static void assertClipLeavesProcessing(String id) throws Exception {
        String owner = server.ownerToken("alice");
        String status = null;
        for (int i = 0; i < 300 && !"failed".equals(status); i++) {
            HttpResponse<Buffer> clip = TestServer.await(web.getAbs(server.baseUrl() + "/api/clips/" + id)
                    .bearerTokenAuthentication(owner).send());
            status = clip.bodyAsJsonObject().getString("status");
            if (!"failed".equals(status)) {
                Thread.sleep(100);
            }
        }
        assertThat(status).isEqualTo("failed");
    }

    @Test
    void aRetriedPostForTheSameClientClipIdGetsTheSameUploadBack() throws Exception {
        String metadata = "kind " + b64("incident") + ",clientClipId " + b64("cam-1/clip-77");
        HttpResponse<Buffer> first = send(tus(HttpMethod.POST, "/files/").putHeader("Upload-Length", "400")
                .putHeader("Upload-Metadata", metadata));
        assertThat(first.statusCode()).isEqualTo(201);
        String id = first.getHeader("Location").substring(first.getHeader("Location").lastIndexOf('/') + 1);
        send(patch(id, 0), bytes(150, 3));

        HttpResponse<Buffer> again = send(tus(HttpMethod.POST, "/files/").putHeader("Upload-Length", "400")
                .putHeader("Upload-Metadata", metadata));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.getHeader("Location")).isEqualTo(first.getHeader("Location"));
        assertThat(again.getHeader("Upload-Offset")).isEqualTo("150");

        send(patch(id, 150), bytes(250, 4));
        HttpResponse<Buffer> afterDone = send(tus(HttpMethod.POST, "/files/").putHeader("Upload-Length", "400")
                .putHeader("Upload-Metadata", metadata));
        assertThat(afterDone.statusCode()).isEqualTo(200);
        assertThat(afterDone.getHeader("Convoy-Clip-Id")).isEqualTo(id);
        assertThat(afterDone.getHeader("Upload-Offset")).isEqualTo("400");

        // The same camera id from another device is another clip.
        HttpResponse<Buffer> otherDevice = send(tus(HttpMethod.POST, "/files/").putHeader("Upload-Length", "400")
                .putHeader("Upload-Metadata", metadata).bearerTokenAuthentication(server.deviceToken("alice", "cam-2")));
        assertThat(otherDevice.statusCode()).isEqualTo(201);
        assertThat(otherDevice.getHeader("Location")).isNotEqualTo(first.getHeader("Location"));
    }

    @Test
    void aDeviceMayHoldOnlySoManyUnfinishedUploads() throws Exception {
        String token = server.deviceToken("alice", "cam-busy");
        for (int i = 0; i < 32; i++) {
            assertThat(send(tus(HttpMethod.POST, "/files/").bearerTokenAuthentication(token).putHeader("Upload-Length", "10"))
                    .statusCode()).isEqualTo(201);
        }
        assertError(send(tus(HttpMethod.POST, "/files/").bearerTokenAuthentication(token).putHeader("Upload-Length", "10")),
                429, "ERR_TOO_MANY_UPLOADS");
    }

    @Test
    void responsesSayWhenAnUnfinishedUploadExpires() throws Exception {
        HttpResponse<Buffer> res = send(tus(HttpMethod.POST, "/files/").putHeader("Upload-Length", "10"));
        ZonedDateTime expires = ZonedDateTime.parse(res.getHeader("Upload-Expires"),
                DateTimeFormatter.RFC_1123_DATE_TIME);
        assertThat(expires.toInstant()).isBetween(Instant.now().plusSeconds(86_000), Instant.now().plusSeconds(86_500));
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
        assertThat(Files.readAllBytes(dataDir.resolve("uploads").resolve(id + ".bin"))).isEqualTo(first.getBytes());
    }

    @Test
    void creationWithUploadNeedsTheOffsetContentType() throws Exception {
        HttpResponse<Buffer> res = send(tus(HttpMethod.POST, "/files/").putHeader("Upload-Length", "3000")
                .putHeader("Content-Type", "video/mp4"), bytes(100, 2));
        assertError(res, 415, "ERR_INVALID_CONTENT_TYPE");
    }
}
