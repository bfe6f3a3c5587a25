package dev.convoy.ingest.tus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.ingest.TestServer;
import dev.convoy.ingest.upload.SpoolStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tus package on its own: the endpoint mounted with an application policy that is not
 * Convoy's (any bearer token names its owner, a {@code key} metadata field makes creation
 * idempotent, lengths over 500 bytes are refused), so the seam between protocol and rules holds.
 */
class TusEndpointTest {

    @TempDir
    Path dir;

    Vertx vertx;
    HttpServer server;
    WebClient web;
    String base;
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<UploadPolicy.Creation> asked = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        SpoolStore store = TestServer.await(SpoolStore.open(vertx, dir, 0));
        TusEndpoint endpoint = TusEndpoint.create(store, new KeyedPolicy(), new Recorder(),
                new TusEndpoint.Limits(10_000, 1024, Duration.ofHours(1)), new SimpleMeterRegistry());
        Router router = Router.router(vertx);
        endpoint.mount(router);
        server = TestServer.await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
        base = "http://127.0.0.1:" + server.actualPort();
        web = WebClient.create(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        web.close();
        TestServer.await(vertx.close());
    }

    @Test
    void aPolicyOfAnotherApplicationDecidesWhoAndWhetherWhileTheProtocolStaysTheSame() throws Exception {
        HttpResponse<Buffer> created = send(tus(HttpMethod.POST, "/files/", "carol").putHeader("Upload-Length", "6")
                .putHeader("Upload-Metadata", "key " + b64("k-1")));
        assertThat(created.statusCode()).isEqualTo(201);
        String url = created.getHeader("Location");
        String path = url.substring(url.indexOf("/files/"));
        assertThat(asked).singleElement().satisfies(c -> {
            assertThat(c.existing()).isNull();
            assertThat(c.who()).isEqualTo(new Uploader("carol", "any"));
            assertThat(c.metadata()).isEqualTo(Map.of("key", "k-1"));
            assertThat(c.length()).isEqualTo(6);
        });

        HttpResponse<Buffer> again = send(tus(HttpMethod.POST, "/files/", "carol").putHeader("Upload-Length", "6")
                .putHeader("Upload-Metadata", "key " + b64("k-1")));
        assertThat(again.statusCode()).as("the same key finds the same upload").isEqualTo(200);
        assertThat(again.getHeader("Location")).isEqualTo(url);
        assertThat(again.getHeader("X-Reclaimed")).isEqualTo("yes");

        assertThat(send(tus(HttpMethod.HEAD, path, "dave")).statusCode()).as("another owner sees nothing").isEqualTo(404);
        HttpResponse<Buffer> patched = sendBody(tus(HttpMethod.PATCH, path, "carol").putHeader("Upload-Offset", "0")
                .putHeader("Content-Type", "application/offset+octet-stream"), Buffer.buffer("abcdef"));
        assertThat(patched.statusCode()).isEqualTo(204);
        assertThat(patched.getHeader("Upload-Offset")).isEqualTo("6");
        assertThat(events).containsExactly("progressed 0", "completed 6");

        HttpResponse<Buffer> refused = send(tus(HttpMethod.POST, "/files/", "carol").putHeader("Upload-Length", "20000"));
        assertThat(refused.statusCode()).isEqualTo(413);
        assertThat(refused.bodyAsString()).startsWith("ERR_MAX_SIZE_EXCEEDED: ");
        HttpResponse<Buffer> byPolicy = send(tus(HttpMethod.POST, "/files/", "carol").putHeader("Upload-Length", "600"));
        assertThat(byPolicy.statusCode()).isEqualTo(503);
        assertThat(byPolicy.getHeader("Retry-After")).isEqualTo("7");
        assertThat(send(tus(HttpMethod.POST, "/files/", null).putHeader("Upload-Length", "6")).statusCode()).isEqualTo(401);
    }

    @Test
    void extensionsFollowTheStoreAndRemovalForgetsTheKey() throws Exception {
        HttpResponse<Buffer> options = send(web.requestAbs(HttpMethod.OPTIONS, base + "/files/"));
        assertThat(options.getHeader("Tus-Extension")).contains("creation", "termination", "checksum", "concatenation");
        assertThat(options.getHeader("Tus-Max-Size")).isEqualTo("10000");

        String url = send(tus(HttpMethod.POST, "/files/", "carol").putHeader("Upload-Length", "6")
                .putHeader("Upload-Metadata", "key " + b64("k-2"))).getHeader("Location");
        assertThat(send(tus(HttpMethod.DELETE, url.substring(url.indexOf("/files/")), "carol")).statusCode()).isEqualTo(204);
        assertThat(events).contains("removed");

        HttpResponse<Buffer> fresh = send(tus(HttpMethod.POST, "/files/", "carol").putHeader("Upload-Length", "6")
                .putHeader("Upload-Metadata", "key " + b64("k-2")));
        assertThat(fresh.statusCode()).as("a terminated upload's key is free again").isEqualTo(201);
        assertThat(fresh.getHeader("Location")).isNotEqualTo(url);
    }

    private HttpRequest<Buffer> tus(HttpMethod method, String path, String owner) {
        HttpRequest<Buffer> req = web.requestAbs(method, base + path).putHeader("Tus-Resumable", "1.0.0");
        return owner == null ? req : req.bearerTokenAuthentication(owner);
    }

    private static HttpResponse<Buffer> send(HttpRequest<Buffer> req) throws Exception {
        return TestServer.await(req.send());
    }

    private static HttpResponse<Buffer> sendBody(HttpRequest<Buffer> req, Buffer body) throws Exception {
        return TestServer.await(req.sendBuffer(body));
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Any bearer token is its own owner; {@code key} makes creation idempotent; over 500 bytes the app is "busy". */
    private final class KeyedPolicy implements UploadPolicy {
        @Override
        public Future<Uploader> authenticate(String authorization) {
            if (authorization == null || !authorization.startsWith("Bearer ")) {
                return Future.failedFuture(TusError.UNAUTHORIZED.exception());
            }
            return Future.succeededFuture(new Uploader(authorization.substring("Bearer ".length()), "any"));
        }

        @Override
        public Optional<UploadState> beforeCreate(Creation request) {
            asked.add(request);
            if (request.existing() != null) {
                return Optional.of(request.existing());
            }
            if (request.length() > 500) {
                throw TusError.SERVER_BUSY.retryAfter(7, "Too big for this application today.");
            }
            return Optional.empty();
        }

        @Override
        public String idempotencyKey(Uploader who, Map<String, String> metadata, UploadState.Concat concat) {
            return metadata.containsKey("key") ? who.owner() + "/" + metadata.get("key") : null;
        }

        @Override
        public Map<String, String> reclaimedHeaders(UploadState upload) {
            return Map.of("X-Reclaimed", "yes");
        }
    }

    private final class Recorder implements UploadEvents {
        @Override
        public void progressed(UploadState upload) {
            events.add("progressed " + upload.offset());
        }

        @Override
        public void completed(UploadState upload) {
            events.add("completed " + upload.offset());
        }

        @Override
        public void refused(UploadState upload, String reason) {
            events.add("refused " + reason);
        }

        @Override
        public void removed(UploadState upload) {
            events.add("removed");
        }
    }
}
