package dev.convoy.benchmarks.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convoy.benchmarks.LocalServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet simulator against a real server: cameras on a link that drops a third of their chunks, in the four
 * containers cameras write, lose nothing, and every clip becomes ready.
 */
class FleetTest {

    @TempDir
    Path dir;

    @Test
    void aSmallFleetOnABadLinkUploadsEveryClipWhole() throws Exception {
        Path dataDir = dir.resolve("data");
        Path network = Files.writeString(dir.resolve("bad.json"), new JsonObject().put("name", "bad")
                .put("bytesPerSecond", 400_000).put("latencyMs", 40).put("dropPerChunk", 0.35)
                .put("stallPerChunk", 0.1).put("stallMs", 700).encode());
        Path json = dir.resolve("summary.json");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (LocalServer server = LocalServer.start(dataDir)) {
            int status = Fleet.run(FleetOptions.parse(List.of("--url", server.baseUrl(), "--metrics-url", server.managementUrl(), "--cams", "5", "--duration", "8s",
                    "--clip-every", "3s", "--network", network.toString(), "--data-dir", dataDir.toString(),
                    "--resolution", "320x240", "--chunk", "262144", "--drain", "90s", "--ready-timeout", "120s",
                    "--container", "mp4,faststart,fmp4,ts",
                    "--json", json.toString())), new PrintStream(log, true, StandardCharsets.UTF_8));
            String output = log.toString(StandardCharsets.UTF_8);
            System.out.println(output);
            assertThat(status).as(output).isZero();
            assertThat(output).contains("fleet: OK").contains("| chunk acknowledged p50 / p95 / p99 |");
        }
        JsonObject summary = new JsonObject(Files.readString(json));
        assertThat(summary.getLong("clipsRecorded")).isPositive();
        assertThat(summary.getLong("uploadsOk")).isEqualTo(summary.getLong("clipsRecorded"));
        assertThat(summary.getLong("uploadsFailed")).isZero();
        assertThat(summary.getLong("resumes")).as("the link cut chunks off and the cameras resumed").isPositive();
        assertThat(summary.getLong("verified")).isEqualTo(summary.getLong("uploadsOk"));
        assertThat(summary.getLong("mismatched")).isZero();
        assertThat(summary.getLong("ready")).isEqualTo(summary.getLong("uploadsOk"));
        assertThat(summary.getJsonObject("readyMs").getLong("p50")).isPositive();
        assertThat(summary.getJsonObject("serverReadyMs").getLong("p50")).as("the server's own time to ready").isPositive();
        JsonObject byGroup = summary.getJsonObject("serverReadyMsByKindAndContainer");
        assertThat(byGroup.fieldNames().stream().map(g -> g.substring(g.indexOf('/') + 1)).distinct())
                .as("a camera per container: every container's clips became ready").containsExactlyInAnyOrder("mp4", "faststart", "fmp4", "ts");
        assertThat(byGroup.stream().mapToInt(e -> ((JsonObject) e.getValue()).getInteger("count")).sum())
                .isEqualTo(summary.getLong("ready").intValue());
        assertThat(summary.getBoolean("lossless")).isTrue();
        assertThat(summary.getDouble("serverHeapMaxMib")).as("the server's heap, read on its management port").isPositive();
    }

    @Test
    void noServerAtTheUrlIsSaidAtOnce() throws Exception {
        Path dataDir = Files.createDirectories(dir.resolve("lonely"));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        assertThatThrownBy(() -> Fleet.run(FleetOptions.parse(List.of("--url", url, "--data-dir", dataDir.toString())),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)))
                .hasMessageContaining("no Convoy server answers at " + url);
    }

    @Test
    void badOptionsAreRefusedWithASentence() {
        assertThatThrownBy(() -> FleetOptions.parse(List.of("--cams", "0", "--data-dir", "x")))
                .hasMessageContaining("--cams must be a positive whole number");
        assertThatThrownBy(() -> FleetOptions.parse(List.of("--duration", "soon", "--data-dir", "x")))
                .hasMessageContaining("--duration must be a duration");
        assertThatThrownBy(() -> FleetOptions.parse(List.of("--mix", "incident=x", "--data-dir", "x")))
                .hasMessageContaining("--mix takes KIND=SHARE");
        assertThatThrownBy(() -> FleetOptions.parse(List.of("--network", "carrier-pigeon", "--data-dir", "x")))
                .hasMessageContaining("--network must be wifi, 4g, lossy or a JSON file");
        assertThatThrownBy(() -> FleetOptions.parse(List.of("--container", "mp4,avi", "--data-dir", "x")))
                .hasMessageContaining("--container takes mp4, faststart, fmp4, ts").hasMessageContaining("not 'avi'");
        assertThatThrownBy(() -> FleetOptions.parse(List.of("--cams", "3"))).hasMessageContaining("fleet needs tokens");
        assertThatThrownBy(() -> FleetOptions.parse(List.of("--speed", "9", "--data-dir", "x"))).hasMessageContaining("Unknown option --speed");
        FleetOptions defaults = FleetOptions.parse(List.of("--data-dir", "x", "--mix", "incident=1,drive=3"));
        assertThat(defaults.cams()).isEqualTo(50);
        assertThat(defaults.network().name()).isEqualTo("4g");
        assertThat(defaults.mix().values()).containsExactly(0.25, 0.75);
        assertThat(defaults.containers()).containsExactly("mp4");
    }
}
