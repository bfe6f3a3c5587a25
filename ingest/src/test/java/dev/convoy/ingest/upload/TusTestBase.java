package dev.convoy.ingest.upload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.ingest.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** A real service and a Vert.x WebClient for the per-method protocol tests. */
abstract class TusTestBase {

    static final long MAX_SIZE = 50_000_000;

    @TempDir
    static Path dataDir;

    static TestServer server;
    static Vertx vertx;
    static WebClient web;
    static String aliceCam;

    @BeforeAll
    static void startServer() throws Exception {
        server = TestServer.start(dataDir, "--max-upload-size", Long.toString(MAX_SIZE));
        vertx = Vertx.vertx();
        web = WebClient.create(vertx);
        aliceCam = server.deviceToken("alice", "cam-1");
    }

    @AfterAll
    static void stopServer() throws Exception {
        web.close();
        TestServer.await(vertx.close());
        server.close();
    }

    /** A tus request with the version header and alice's device token. */
    static HttpRequest<Buffer> tus(HttpMethod method, String path) {
        return web.requestAbs(method, server.baseUrl() + path)
                .putHeader("Tus-Resumable", "1.0.0")
                .bearerTokenAuthentication(aliceCam);
    }

    static HttpResponse<Buffer> send(HttpRequest<Buffer> request) throws Exception {
        return TestServer.await(request.send());
    }

    static HttpResponse<Buffer> send(HttpRequest<Buffer> request, Buffer body) throws Exception {
        return TestServer.await(request.sendBuffer(body));
    }

    /** Creates an upload of {@code length} bytes and returns its id. */
    static String create(long length) throws Exception {
        HttpResponse<Buffer> res = send(tus(HttpMethod.POST, "/files/").putHeader("Upload-Length", Long.toString(length))
                .putHeader("Upload-Metadata", "filename " + b64("clip.mp4") + ",kind " + b64("manual")));
        assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
        String location = res.getHeader("Location");
        return location.substring(location.lastIndexOf('/') + 1);
    }

    static HttpRequest<Buffer> patch(String id, long offset) {
        return tus(HttpMethod.PATCH, "/files/" + id)
                .putHeader("Content-Type", "application/offset+octet-stream")
                .putHeader("Upload-Offset", Long.toString(offset));
    }

    /** Where the server keeps an upload's bytes. */
    static Path spool(String id) {
        return dataDir.resolve("uploads").resolve(id + ".bin");
    }

    static long offsetOf(String id) throws Exception {
        HttpResponse<Buffer> res = send(tus(HttpMethod.HEAD, "/files/" + id));
        assertThat(res.statusCode()).isEqualTo(200);
        return Long.parseLong(res.getHeader("Upload-Offset"));
    }

    /** A refusal: its status, and a body that starts with the stable code and goes on with a sentence. */
    static void assertError(HttpResponse<Buffer> res, int status, String code) {
        assertThat(res.statusCode()).as("status of %s", res.bodyAsString()).isEqualTo(status);
        assertThat(res.body()).as("a refusal says why in its body").isNotNull();
        assertThat(res.bodyAsString()).startsWith(code + ": ");
        assertThat(res.bodyAsString().length()).as("a sentence follows the code").isGreaterThan(code.length() + 10);
        assertThat(res.getHeader("Tus-Resumable")).isEqualTo("1.0.0");
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static Buffer bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return Buffer.buffer(b);
    }
}
