package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.transcoder.TestClips;
import dev.convoy.transcoder.worker.TranscodeWorker;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clip that crashes FFmpeg natively (the worker's test hook stands in for a crafted file)
 * while other uploads and transcodes run: it ends failed with {@code transcoder_crashed},
 * the others all become ready, and the service itself never goes down.
 */
class TranscoderIsolationTest {

    @TempDir
    static Path dataDir;
    @TempDir
    static Path files;

    static LiveService live;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("convoy.worker.testHooks", "true");
        live = LiveService.start(dataDir, "--transcode-workers", "2", "--transcode-threads", "1");
    }

    @AfterAll
    static void stop() throws Exception {
        live.close();
    }

    @Test
    void aClipThatCrashesTheTranscoderFailsAloneAndTheServiceCarriesOn() throws Exception {
        Path crafted = files.resolve("crafted.mp4");
        byte[] body = new byte[2 << 20];
        byte[] marker = TranscodeWorker.CRASH_MARKER.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(marker, 0, body, 0, marker.length);
        Files.write(crafted, body);
        Path clip = TestClips.get(TestClips.Spec.small(640, 360, 4).withAudio());
        String token = live.server().deviceToken("alice", "cam-crash");
        String base = live.server().baseUrl() + "/files/";

        CompletableFuture<String> crashing = CompletableFuture.supplyAsync(() -> upload(crafted, token, base, "incident"));
        List<CompletableFuture<String>> others = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            others.add(CompletableFuture.supplyAsync(() -> upload(clip, token, base, "manual")));
        }

        JsonObject crashed = live.clips().awaitCommitted(id(crashing.get()), token);
        assertThat(crashed.getString("status")).isEqualTo("failed");
        assertThat(crashed.getJsonObject("failure").getString("reason")).isEqualTo("transcoder_crashed");
        assertThat(Clips.sha256(live.clips().download(crashed.getJsonObject("urls").getString("original")).getBytes()))
                .as("the original is kept").isEqualTo(Clips.sha256(body));
        for (CompletableFuture<String> other : others) {
            JsonObject ready = live.clips().awaitCommitted(id(other.get()), token);
            assertThat(ready.getString("status")).isEqualTo("ready");
            assertThat(ready.getJsonObject("urls").getString("preview")).isNotBlank();
        }

        assertThat(TestServer.await(live.web().getAbs(live.server().managementUrl() + "/health/live").send()).statusCode()).isEqualTo(200);
        HttpResponse<Buffer> metrics = TestServer.await(live.web().getAbs(live.server().managementUrl() + "/metrics").send());
        assertThat(metrics.bodyAsString()).contains("convoy_transcode_worker_restarts_total 2.0",
                "convoy_transcode_failures_total{reason=\"transcoder_crashed\"} 1.0",
                "convoy_transcode_workers{state=\"idle\"}", "convoy_transcode_workers{state=\"busy\"}",
                "convoy_transcode_frames_total");
        // And it still transcodes.
        JsonObject after = live.clips().awaitCommitted(id(upload(clip, token, base, "drive")), token);
        assertThat(after.getString("status")).isEqualTo("ready");
    }

    private static String upload(Path file, String token, String base, String kind) {
        try {
            return Clips.upload(file, token, base, Map.of("kind", kind));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String id(String url) {
        return url.substring(url.lastIndexOf('/') + 1);
    }
}
