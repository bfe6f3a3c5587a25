package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real tus Java client uploads through a proxy that misbehaves like a mobile link; each
 * time the upload finishes and the stored original is byte-identical to the source.
 */
class FaultInjectionTest {

    @TempDir
    static Path dataDir;
    @TempDir
    static Path files;

    static LiveService live;

    @BeforeAll
    static void start() throws Exception {
        live = LiveService.start(dataDir, "--idle-timeout", "1");
    }

    @AfterAll
    static void stop() throws Exception {
        live.close();
    }

    @Test
    void aLinkThrottledTo5KiBPerSecond() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(live.vertx(), live.server().port()).throttle(5 * 1024)) {
            uploadThroughAndVerify(proxy, 24 * 1024, 1);
        }
    }

    @Test
    void connectionsClosedMidBody() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(live.vertx(), live.server().port()).inject(FaultProxy.Fault.CLOSE, 300_000, 3)) {
            uploadThroughAndVerify(proxy, 1_200_000, 2);
            assertThat(proxy.faults()).isEqualTo(3);
        }
    }

    @Test
    void connectionsResetMidBody() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(live.vertx(), live.server().port()).inject(FaultProxy.Fault.RESET, 400_000, 2)) {
            uploadThroughAndVerify(proxy, 1_000_000, 3);
            assertThat(proxy.faults()).isEqualTo(2);
        }
    }

    @Test
    void aBodyStallingPastTheIdleTimeoutIsEndedWithA5xxAndResumed() throws Exception {
        try (FaultProxy proxy = FaultProxy.start(live.vertx(), live.server().port()).inject(FaultProxy.Fault.STALL, 500_000, 1).stallFor(2_500)) {
            uploadThroughAndVerify(proxy, 800_000, 4);
            assertThat(proxy.faults()).isEqualTo(1);
        }
        String metrics = TestServer.await(live.web().getAbs(live.server().managementUrl() + "/metrics").send()).bodyAsString();
        assertThat(metrics).contains("convoy_upload_errors_total{code=\"ERR_READ_TIMEOUT\"}");
        assertThat(metrics).containsPattern("convoy_upload_resumes_total [1-9]");
    }

    private static void uploadThroughAndVerify(FaultProxy proxy, int size, int seed) throws Exception {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        Path file = files.resolve("clip-" + seed + ".mp4");
        Files.write(file, bytes);
        String token = live.server().deviceToken("alice", "cam-" + seed);
        String url = Clips.upload(file, token, "http://127.0.0.1:" + proxy.port() + "/files/",
                Map.of("clientClipId", "clip-" + seed));
        JsonObject clip = live.clips().awaitCommitted(url.substring(url.lastIndexOf('/') + 1), token);
        assertThat(clip.getString("sha256")).isEqualTo(Clips.sha256(bytes));
        assertThat(Clips.sha256(live.clips().download(clip.getJsonObject("urls").getString("original")).getBytes()))
                .isEqualTo(Clips.sha256(bytes));
    }
}
