package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tus.java.client.ProtocolException;
import io.tus.java.client.TusClient;
import io.tus.java.client.TusExecutor;
import io.tus.java.client.TusURLMemoryStore;
import io.tus.java.client.TusUpload;
import io.tus.java.client.TusUploader;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/** What a camera and an owner do in the tests: upload with the real tus client, poll the API, download. */
final class Clips {

    private final String baseUrl;
    private final WebClient web;

    Clips(String baseUrl, WebClient web) {
        this.baseUrl = baseUrl;
        this.web = web;
    }

    /** Uploads with tus-java-client (64 KiB chunks, 1 MiB requests), resuming after failures; returns the upload URL. */
    static String upload(Path file, String token, String creationUrl, Map<String, String> metadata) throws Exception {
        return upload(file, token, creationUrl, metadata, new int[] {100, 300, 500, 1000, 1000, 2000});
    }

    /** As {@link #upload(Path, String, String, Map)}, waiting {@code retryDelaysMs} between failed attempts. */
    static String upload(Path file, String token, String creationUrl, Map<String, String> metadata, int[] retryDelaysMs)
            throws Exception {
        TusClient client = new TusClient();
        client.setUploadCreationURL(new URL(creationUrl));
        client.enableResuming(new TusURLMemoryStore());
        client.setHeaders(Map.of("Authorization", "Bearer " + token));
        TusUpload upload = new TusUpload(file.toFile());
        Map<String, String> meta = new HashMap<>(metadata);
        meta.put("filename", file.getFileName().toString());
        upload.setMetadata(meta);
        String[] url = new String[1];
        TusExecutor executor = new TusExecutor() {
            @Override
            protected void makeAttempt() throws ProtocolException, IOException {
                TusUploader uploader = client.resumeOrCreateUpload(upload);
                uploader.setChunkSize(64 * 1024);
                uploader.setRequestPayloadSize(1 << 20);
                while (uploader.uploadChunk() > -1) {
                    // keep going until the whole file is sent
                }
                uploader.finish();
                url[0] = uploader.getUploadURL().toString();
            }
        };
        executor.setDelays(retryDelaysMs);
        assertThat(executor.makeAttempts()).as("upload finished").isTrue();
        return url[0];
    }

    static String idOf(String uploadUrl) {
        return uploadUrl.substring(uploadUrl.lastIndexOf('/') + 1);
    }

    /** Polls {@code GET /api/clips/{id}} until the clip is ready or failed. */
    JsonObject awaitCommitted(String clipId, String token) throws Exception {
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (true) {
            HttpResponse<Buffer> res = TestServer.await(web.getAbs(baseUrl + "/api/clips/" + clipId)
                    .bearerTokenAuthentication(token).send());
            assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
            JsonObject clip = res.bodyAsJsonObject();
            String status = clip.getString("status");
            if (status.equals("ready") || status.equals("failed")) {
                return clip;
            }
            assertThat(System.nanoTime()).as("clip %s still %s", clipId, status).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    Buffer download(String url) throws Exception {
        HttpResponse<Buffer> res = TestServer.await(web.getAbs(absolute(url)).send());
        assertThat(res.statusCode()).as(url).isEqualTo(200);
        return res.body();
    }

    /** A link as the API gives it: the embedded store's media links are relative to the API. */
    String absolute(String url) {
        return url.startsWith("/") ? baseUrl + url : url;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
