package dev.convoy.ingest.upload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.ingest.TestServer;
import dev.convoy.ingest.auth.Revocations;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Expiry, revocation, admission control and stalled bodies, each on a server configured for it. */
class UploadLifecycleTest {

    @TempDir
    Path dataDir;

    Vertx vertx;
    WebClient web;

    @BeforeEach
    void client() {
        vertx = Vertx.vertx();
        web = WebClient.create(vertx);
    }

    @AfterEach
    void close() throws Exception {
        web.close();
        TestServer.await(vertx.close());
    }

    @Test
    void anUnfinishedUploadExpiresIsSweptAndAnswers410() throws Exception {
        try (TestServer server = TestServer.start(dataDir, "--upload-expiry", "1")) {
            String token = server.deviceToken("alice", "cam-1");
            String id = create(server, token, 100);
            assertThat(send(tus(server, token, HttpMethod.PATCH, id).putHeader("Upload-Offset", "0")
                    .putHeader("Content-Type", "application/offset+octet-stream"), Buffer.buffer(new byte[10])).statusCode())
                    .isEqualTo(204);
            Thread.sleep(3_000);
            HttpResponse<Buffer> gone = send(tus(server, token, HttpMethod.HEAD, id), null);
            assertThat(gone.statusCode()).isEqualTo(410);
            assertThat(dataDir.resolve("uploads").resolve(id + ".bin")).doesNotExist();
            String metrics = send(web.getAbs(server.managementUrl() + "/metrics"), null).bodyAsString();
            assertThat(metrics).contains("convoy_uploads_expired_total 1.0");
        }
    }

    @Test
    void aRevokedDeviceIsRefusedWhileItsOwnersOtherDevicesGoOn() throws Exception {
        try (TestServer server = TestServer.start(dataDir)) {
            String lost = server.deviceToken("alice", "cam-lost");
            String kept = server.deviceToken("alice", "cam-kept");
            Thread.sleep(1_100);
            assertThat(create(server, lost, 10)).isNotBlank();
            Revocations.revoke(dataDir, "alice", "cam-lost");
            long deadline = System.nanoTime() + 10_000_000_000L;
            int status;
            do {
                Thread.sleep(200);
                status = send(tus(server, lost, HttpMethod.POST, null).putHeader("Upload-Length", "10"), null).statusCode();
            } while (status != 401 && System.nanoTime() < deadline);
            assertThat(status).isEqualTo(401);
            assertThat(create(server, kept, 10)).isNotBlank();
            Thread.sleep(1_100);
            String fresh = server.deviceToken("alice", "cam-lost");
            assertThat(create(server, fresh, 10)).as("a token issued after revocation").isNotBlank();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "spool disk nearly full, --min-free-spool-bytes, 9223372036854775807, spoolDisk",
            "transcode backlog at its limit, --transcode-queue-limit, 0, transcodeQueue"})
    void aFullServerRefusesNewUploadsButTakesBytesForStartedOnes(String why, String flag, String value, String check)
            throws Exception {
        String id;
        String token;
        try (TestServer server = TestServer.start(dataDir)) {
            token = server.deviceToken("alice", "cam-1");
            id = create(server, token, 100);
        }
        try (TestServer full = TestServer.start(dataDir, flag, value)) {
            HttpResponse<Buffer> refused = send(tus(full, token, HttpMethod.POST, null).putHeader("Upload-Length", "10"), null);
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.bodyAsString()).startsWith("ERR_SERVER_BUSY: ").contains(why);
            assertThat(refused.getHeader("Retry-After")).isEqualTo("30");
            HttpResponse<Buffer> patch = send(tus(full, token, HttpMethod.PATCH, id).putHeader("Upload-Offset", "0")
                    .putHeader("Content-Type", "application/offset+octet-stream"), Buffer.buffer(new byte[40]));
            assertThat(patch.statusCode()).isEqualTo(204);
            HttpResponse<Buffer> ready = send(web.getAbs(full.managementUrl() + "/health/ready"), null);
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.bodyAsJsonObject().getJsonObject("checks").getString(check)).isEqualTo("DOWN");
        }
    }

    @Test
    void aBodyThatStallsPastTheIdleTimeoutGetsA5xxAndKeepsItsBytes() throws Exception {
        try (TestServer server = TestServer.start(dataDir, "--idle-timeout", "1")) {
            String token = server.deviceToken("alice", "cam-1");
            String id = create(server, token, 1000);
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("PATCH /files/" + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
                        + "Authorization: Bearer " + token + "\r\nContent-Type: application/offset+octet-stream\r\n"
                        + "Upload-Offset: 0\r\nContent-Length: 1000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[250]);
                out.flush();
                socket.setSoTimeout(10_000);
                InputStream in = socket.getInputStream();
                String reply = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
                assertThat(reply).isEqualTo("HTTP/1.1 500");
            }
            HttpResponse<Buffer> head = send(tus(server, token, HttpMethod.HEAD, id), null);
            assertThat(head.getHeader("Upload-Offset")).isEqualTo("250");
        }
    }

    private HttpRequest<Buffer> tus(TestServer server, String token, HttpMethod method, String id) {
        return web.requestAbs(method, server.baseUrl() + "/files/" + (id == null ? "" : id))
                .putHeader("Tus-Resumable", "1.0.0").bearerTokenAuthentication(token);
    }

    private String create(TestServer server, String token, long length) throws Exception {
        HttpResponse<Buffer> res = send(tus(server, token, HttpMethod.POST, null).putHeader("Upload-Length", Long.toString(length)), null);
        assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
        return res.getHeader("Location").substring(res.getHeader("Location").lastIndexOf('/') + 1);
    }

    private static HttpResponse<Buffer> send(HttpRequest<Buffer> request, Buffer body) throws Exception {
        return TestServer.await(body == null ? request.send() : request.sendBuffer(body));
    }
}
