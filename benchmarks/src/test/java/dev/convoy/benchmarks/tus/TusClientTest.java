package dev.convoy.benchmarks.tus;

import static dev.convoy.benchmarks.LocalServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.convoy.benchmarks.LocalServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared tus client against a real Convoy server in this JVM. */
class TusClientTest {

    private static final int LENGTH = 300_000;

    @TempDir
    static Path dir;

    private static LocalServer server;
    private static Vertx vertx;
    private static HttpClient http;
    private static TusClient tus;
    private static Buffer bytes;

    @BeforeAll
    static void start() throws Exception {
        // No transcoding: these uploads are random bytes, and only the protocol is under test.
        server = LocalServer.start(dir, "--transcode-workers", "0");
        vertx = Vertx.vertx();
        http = vertx.createHttpClient();
        tus = new TusClient(http, server.baseUrl() + "/files/", server.deviceToken("owner-1", "cam-1"));
        byte[] random = new byte[LENGTH];
        new Random(3).nextBytes(random);
        bytes = Buffer.buffer(random);
    }

    @AfterAll
    static void stop() throws Exception {
        await(vertx.close());
        server.close();
    }

    private static Map<String, String> clip(String clientClipId) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("filename", "road.mp4");
        metadata.put("kind", "manual");
        metadata.put("clientClipId", clientClipId);
        return metadata;
    }

    @Test
    void createPatchThenHeadAndResumeFromTheServersOffset() throws Exception {
        TusClient.Upload upload = await(tus.create(LENGTH, clip("resume-1")));
        assertThat(upload.url()).startsWith(server.baseUrl() + "/files/").endsWith("/" + upload.id());
        assertThat(upload.offset()).isZero();

        assertThat(await(tus.patch(upload.url(), 0, bytes.slice(0, 100_000)))).isEqualTo(100_000);
        assertThat(await(tus.offset(upload.url()))).isEqualTo(100_000);

        List<long[]> chunks = new ArrayList<>();
        long end = await(tus.resume(upload.url(), bytes, 64 * 1024, (from, to, nanos) -> chunks.add(new long[] {from, to})));
        assertThat(end).isEqualTo(LENGTH);
        assertThat(chunks).first().satisfies(c -> assertThat(c[0]).as("resumed from the server's offset").isEqualTo(100_000));
        for (int i = 1; i < chunks.size(); i++) {
            assertThat(chunks.get(i)[0]).as("each PATCH from the offset acknowledged before it").isEqualTo(chunks.get(i - 1)[1]);
        }
        assertThat(chunks).hasSize(4);
        assertThat(await(tus.offset(upload.url()))).isEqualTo(LENGTH);
    }

    @Test
    void aRepeatedCreateForTheSameClipAnswersItsUploadAndOffset() throws Exception {
        TusClient.Upload first = await(tus.create(LENGTH, clip("again-1")));
        await(tus.patch(first.url(), 0, bytes.slice(0, 50_000)));
        TusClient.Upload again = await(tus.create(LENGTH, clip("again-1")));
        assertThat(again).isEqualTo(new TusClient.Upload(first.url(), 50_000));
    }

    @Test
    void aBodyCutOffOnTheWayIsResumedWithoutLoss() throws Exception {
        Link cutsTheFirstBody = new Link() {
            private boolean cut;

            @Override
            public Future<Void> beforeRequest() {
                return Future.succeededFuture();
            }

            @Override
            public Future<Void> send(HttpClientRequest request, Buffer body) {
                if (cut) {
                    return request.end(body);
                }
                cut = true;
                request.write(body.slice(0, body.length() / 2));
                return request.reset().compose(v -> Future.failedFuture("cut off"));
            }
        };
        TusClient onBadLink = new TusClient(http, server.baseUrl() + "/files/", server.deviceToken("owner-1", "cam-2"),
                cutsTheFirstBody);
        TusClient.Upload upload = await(onBadLink.create(LENGTH, clip("cut-1")));
        assertThatThrownBy(() -> await(onBadLink.upload(upload.url(), 0, bytes, LENGTH, TusClient.ChunkListener.NONE)))
                .isInstanceOf(ExecutionException.class).cause().isNotInstanceOf(TusException.class);
        assertThat(resumeUntilDone(onBadLink, upload.url())).isEqualTo(LENGTH);
    }

    /**
     * The server may still be storing what came of the cut-off PATCH when the HEAD arrives; the
     * next PATCH then answers 409 with more bytes held, and a client waits and resumes again.
     */
    private static long resumeUntilDone(TusClient client, String url) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return await(client.resume(url, bytes, 128 * 1024, TusClient.ChunkListener.NONE));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TusException refused) || refused.status() != 409 || attempt == 10) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    @Test
    void answersOtherThanSuccessFailWithTheirStatus() throws Exception {
        TusClient.Upload upload = await(tus.create(LENGTH, Map.of()));
        assertThat(status(tus.patch(upload.url(), 10, bytes.slice(0, 10)))).as("a PATCH at the wrong offset").isEqualTo(409);
        await(tus.terminate(upload.url()));
        assertThat(status(tus.offset(upload.url()))).as("a terminated upload").isEqualTo(404);
        TusClient anonymous = new TusClient(http, server.baseUrl() + "/files/", null);
        assertThat(status(anonymous.create(LENGTH, Map.of()))).as("no Authorization header").isEqualTo(401);
    }

    @Test
    void metadataIsEncodedInItsOrder() {
        Map<String, String> pairs = new LinkedHashMap<>();
        pairs.put("filename", "a.mp4");
        pairs.put("kind", "incident");
        assertThat(TusClient.metadata(pairs)).isEqualTo("filename YS5tcDQ=,kind aW5jaWRlbnQ=");
    }

    private static int status(Future<?> call) {
        Throwable thrown = catchThrowable(() -> await(call));
        assertThat(thrown).isInstanceOf(ExecutionException.class).cause().isInstanceOf(TusException.class);
        return ((TusException) thrown.getCause()).status();
    }
}
