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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
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

    /** Waits until the spool holds at least {@code bytes} bytes of uploads. */
    private void awaitSpooled(long bytes) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (true) {
            long spooled;
            try (var list = Files.list(dataDir.resolve("uploads"))) {
                spooled = list.filter(p -> p.toString().endsWith(".bin")).mapToLong(p -> p.toFile().length()).sum();
            }
            if (spooled >= bytes) {
                return;
            }
            assertThat(System.nanoTime()).as("uploads reached %d bytes", bytes).isLessThan(deadline);
            Thread.sleep(2);
        }
    }

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
            // No transcoding while the kills happen: spool files only grow, which is how progress is seen.
            child.start("--transcode-workers", "0");
            DeviceTokens tokens = new DeviceTokens(vertx, SigningSecret.loadOrCreate(dataDir, null));
            String token = tokens.issueDevice("alice", "cam-1");
            Random random = new Random(42);
            List<byte[]> sources = new ArrayList<>();
            List<Future<String>> uploads = new ArrayList<>();
            // Patient cameras: they keep retrying while the server restarts.
            int[] retries = new int[60];
            Arrays.fill(retries, 500);
            for (int i = 0; i < UPLOADS; i++) {
                byte[] bytes = new byte[1_500_000 + random.nextInt(1_500_000)];
                random.nextBytes(bytes);
                Path file = Files.write(files.resolve("clip-" + i + ".mp4"), bytes);
                sources.add(bytes);
                Map<String, String> meta = Map.of("clientClipId", "clip-" + i);
                uploads.add(cameras.submit(() -> Clips.upload(file, token, child.baseUrl() + "/files/", meta, retries)));
            }
            long total = sources.stream().mapToLong(b -> b.length).sum();
            for (int k = 1; k <= KILLS; k++) {
                // Kill at a random point inside the k-th quarter of the bytes, so every kill lands mid-upload.
                long at = total * k / (KILLS + 1) - random.nextInt((int) (total / (KILLS + 1) / 2));
                awaitSpooled(at);
                child.kill();
                child.start("--transcode-workers", "0");
            }
            List<String> ids = new ArrayList<>();
            for (Future<String> upload : uploads) {
                ids.add(Clips.idOf(upload.get(180, TimeUnit.SECONDS)));
            }
            assertThat(ids).doesNotHaveDuplicates();
            child.kill();
            child.start("--transcode-workers", "1");

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
            assertThat(Pattern.compile("event=spool_loaded .* unfinished=[1-9]").matcher(log).find())
                    .as("a restart found uploads the kill had cut off mid-way").isTrue();
        } finally {
            cameras.shutdownNow();
            child.stop();
            TestServer.await(vertx.close());
        }
    }
}
