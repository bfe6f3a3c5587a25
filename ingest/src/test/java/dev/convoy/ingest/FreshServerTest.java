package dev.convoy.ingest;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Tests that start a server of their own, with flags of their own, per test; a client and tus requests for them. */
abstract class FreshServerTest {

    @TempDir
    Path dir;

    Vertx vertx;
    WebClient web;

    @BeforeEach
    void startClient() {
        vertx = Vertx.vertx();
        web = WebClient.create(vertx);
    }

    @AfterEach
    void stopClient() throws Exception {
        web.close();
        TestServer.await(vertx.close());
    }

    HttpResponse<Buffer> create(TestServer server, String token, long length) throws Exception {
        return TestServer.await(tus(server, HttpMethod.POST, "/files/", token).putHeader("Upload-Length", Long.toString(length)).send());
    }

    HttpRequest<Buffer> tus(TestServer server, HttpMethod method, String path, String token) {
        return web.requestAbs(method, server.baseUrl() + path).putHeader("Tus-Resumable", "1.0.0").bearerTokenAuthentication(token);
    }
}
