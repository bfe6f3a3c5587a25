package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.ingest.auth.DeviceTokens;
import dev.convoy.ingest.auth.SigningSecret;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Acknowledged means durable: uploads survive the server being killed with SIGKILL, again and again. */
class CrashRecoveryTest {

    private static final int UPLOADS = 20;
    private static final int KILLS = 3;

    @TempDir
    Path dataDir;
    @TempDir
    Path files;

    @Test
    void twentyConcurrentUploadsSurviveRepeatedKillNineWithByteIdenticalOriginals() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ChildServer child = new ChildServer(dataDir, port);
        Vertx vertx = Vertx.vertx();
        ExecutorService cameras = Executors.newFixedThreadPool(UPLOADS);
        try {
            child.start();
            DeviceTokens tokens = new DeviceTokens(vertx, SigningSecret.loadOrCreate(dataDir, null));
            String token = tokens.issueDevice("alice", "cam-1");
            Random random = new Random(42);
            List<byte[]> sources = new ArrayList<>();
            List<Future<String>> uploads = new ArrayList<>();
            // Patient cameras: they keep retrying while the server restarts.
            int[] retries = new int[60];
            java.util.Arrays.fill(retries, 500);
            for (int i = 0; i < UPLOADS; i++) {
                byte[] bytes = new byte[1_500_000 + random.nextInt(1_500_000)];
                random.nextBytes(bytes);
                Path file = Files.write(files.resolve("clip-" + i + ".mp4"), bytes);
                sources.add(bytes);
                Map<String, String> meta = Map.of("clientClipId", "clip-" + i);
                uploads.add(cameras.submit(() -> Clips.upload(file, token, child.baseUrl() + "/files/", meta, retries)));
            }
            for (int k = 0; k < KILLS; k++) {
                Thread.sleep(300 + random.nextInt(700));
                child.kill();
                child.start();
            }
            List<String> ids = new ArrayList<>();
            for (Future<String> upload : uploads) {
                ids.add(Clips.idOf(upload.get(180, TimeUnit.SECONDS)));
            }
            assertThat(ids).doesNotHaveDuplicates();

            WebClient web = WebClient.create(vertx);
            Clips clips = new Clips(child.baseUrl(), web);
            for (int i = 0; i < UPLOADS; i++) {
                JsonObject clip = clips.awaitCommitted(ids.get(i), token);
                String expected = Clips.sha256(sources.get(i));
                assertThat(clip.getString("sha256")).as("upload %d", i).isEqualTo(expected);
                assertThat(Clips.sha256(clips.download(clip.getJsonObject("urls").getString("original")).getBytes()))
                        .as("original %d in object storage", i).isEqualTo(expected);
            }
            String log = Files.readString(dataDir.resolve("child.log"));
            assertThat(java.util.regex.Pattern.compile("event=spool_loaded .* unfinished=[1-9]").matcher(log).find())
                    .as("a restart found uploads the kill had cut off mid-way").isTrue();
        } finally {
            cameras.shutdownNow();
            child.stop();
            TestServer.await(vertx.close());
        }
    }
}
