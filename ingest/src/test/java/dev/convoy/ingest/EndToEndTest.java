package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.transcoder.Dimensions;
import dev.convoy.transcoder.JpegSize;
import dev.convoy.transcoder.MoovAtom;
import dev.convoy.transcoder.TestClips;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A clip goes the whole path: tus upload over a link that drops once, one-pass renditions, S3, API. */
class EndToEndTest {

    private static final int MIB = 1 << 20;

    @TempDir
    static Path dataDir;
    @TempDir
    static Path downloads;

    static LiveService live;

    @BeforeAll
    static void start() throws Exception {
        // 5 MiB parts (the S3 minimum): the 15 MB original goes up as a 3-part multipart upload.
        live = LiveService.start(dataDir, "--s3-part-size", Integer.toString(5 * MIB));
    }

    @AfterAll
    static void stop() throws Exception {
        live.close();
    }

    @Test
    void clipUploadedOverAFlakyLinkBecomesReadyWithIntactOriginalAndRenditions() throws Exception {
        Path source = TestClips.fullHdWithAudio();
        String token = live.server().deviceToken("alice", "cam-1");

        String uploadUrl;
        try (FaultProxy proxy = FaultProxy.start(live.vertx(), live.server().port())
                .inject(FaultProxy.Fault.CLOSE, (long) (Files.size(source) * 0.45), 1)) {
            uploadUrl = Clips.upload(source, token, "http://127.0.0.1:" + proxy.port() + "/files/",
                    Map.of("kind", "incident", "event", "hard_brake", "eventOffsetMs", "4000",
                            "recordedAt", "2026-11-27T08:15:00Z", "clientClipId", "cam-1/000042"));
            assertThat(proxy.faults()).as("the link dropped mid-upload").isEqualTo(1);
        }
        Instant uploaded = Instant.now();
        String clipId = uploadUrl.substring(uploadUrl.lastIndexOf('/') + 1);

        JsonObject clip = live.clips().awaitCommitted(clipId, live.server().ownerToken("alice"));
        assertThat(clip.getString("status")).isEqualTo("ready");
        Instant lastByte = Instant.parse(clip.getString("lastByteAt"));
        assertThat(lastByte).as("the last byte was written after the upload's creation and before its last answer")
                .isAfter(Instant.parse(clip.getString("createdAt"))).isBeforeOrEqualTo(uploaded);
        assertThat(clip.getLong("timeToReadyMs")).as("time to ready: from the last byte to the manifest")
                .isEqualTo(Duration.between(lastByte, Instant.parse(clip.getString("committedAt"))).toMillis()).isPositive();
        // The same time in the node's histogram (recorded as the commit's future completes, just after the manifest).
        String timeToReady = "convoy_time_to_ready_seconds_count\\{[^}]*kind=\"incident\"[^}]*outcome=\"ready\"[^}]*\\} [1-9]";
        String metrics = "";
        for (int i = 0; i < 50 && !Pattern.compile(timeToReady).matcher(metrics).find(); i++) {
            Thread.sleep(100);
            metrics = TestServer.await(live.web().getAbs(live.server().managementUrl() + "/metrics").send()).bodyAsString();
        }
        assertThat(metrics).containsPattern(timeToReady);
        assertThat(clip.getJsonObject("metadata").getString("kind")).isEqualTo("incident");
        assertThat(clip.getString("sha256")).as("SHA-256 computed while streaming").isEqualTo(Clips.sha256(Files.readAllBytes(source)));
        assertThat(clip.getJsonObject("metadata").getString("event")).isEqualTo("hard_brake");
        assertThat(clip.getJsonObject("metadata").getString("clientClipId")).isEqualTo("cam-1/000042");
        JsonObject probe = clip.getJsonObject("probe");
        assertThat(probe.getInteger("width")).isEqualTo(1920);
        assertThat(probe.getInteger("height")).isEqualTo(1080);
        assertThat(probe.getString("videoCodec")).isEqualTo("h264");
        assertThat(probe.getBoolean("hasAudio")).isTrue();

        JsonObject urls = clip.getJsonObject("urls");
        Buffer original = live.clips().download(urls.getString("original"));
        assertThat(Clips.sha256(original.getBytes())).isEqualTo(Clips.sha256(Files.readAllBytes(source)));

        Path preview = downloads.resolve("preview.mp4");
        Files.write(preview, live.clips().download(urls.getString("preview")).getBytes());
        assertThat(MoovAtom.isBeforeMdat(preview)).isTrue();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(preview.toFile())) {
            grabber.start();
            assertThat(grabber.getVideoCodecName()).isEqualTo("h264");
            assertThat(grabber.getImageWidth()).isEqualTo(640);
            assertThat(grabber.getImageHeight()).isEqualTo(360);
            assertThat(grabber.getAudioCodecName()).isEqualTo("aac");
            assertThat(Math.abs(grabber.getLengthInTime() / 1000 - probe.getLong("durationMs"))).isLessThanOrEqualTo(200);
        }

        assertThat(JpegSize.of(live.clips().download(urls.getString("poster")).getBytes())).isEqualTo(new Dimensions(1280, 720));
        assertThat(JpegSize.of(live.clips().download(urls.getString("thumbnail")).getBytes())).isEqualTo(new Dimensions(320, 180));
        assertThat(live.clips().download(urls.getString("thumbnail-webp")).getBytes()).hasSizeGreaterThan(100);
        assertThat(JpegSize.of(live.clips().download(urls.getString("storyboard")).getBytes())).isEqualTo(new Dimensions(1600, 90));
        assertThat(live.clips().download(urls.getString("storyboard-vtt")).toString()).startsWith("WEBVTT")
                .contains("sprite.jpg#xywh=0,0,160,90");
        JsonObject renditions = manifestOf(clipId).getJsonObject("renditions");
        assertThat(renditions.fieldNames()).containsExactlyInAnyOrder("poster", "thumbnail", "thumbnail-webp", "storyboard",
                "storyboard-vtt", "preview");
        assertThat(renditions.getJsonObject("storyboard").getString("key")).endsWith("/" + clipId + "/sprite.jpg");
        JsonObject shown = clip.getJsonObject("renditions");
        assertThat(shown.fieldNames()).as("the API shows what the manifest holds").isEqualTo(renditions.fieldNames());
        assertThat(shown.getJsonObject("preview").getInteger("width")).isEqualTo(640);
        assertThat(shown.getJsonObject("preview").getString("videoEncoder")).isNotBlank();
        assertThat(shown.getJsonObject("poster").containsKey("key")).as("object keys stay inside").isFalse();
        assertThat(clip.getJsonObject("transcode").getLong("framesDecoded")).isPositive();
        assertThat(probe.getString("profile")).isNotBlank();
        assertThat(probe.getInteger("rotation")).isZero();
        assertThat(probe.getBoolean("variableFps")).isFalse();

        assertThat(Files.exists(dataDir.resolve("uploads").resolve(clipId + ".bin")))
                .as("spool deleted once the manifest is written").isFalse();
        assertThat(Files.exists(dataDir.resolve("objects/convoy/clips/alice").resolve(clipId).resolve("manifest.json"))).isTrue();
    }

    private static JsonObject manifestOf(String clipId) throws Exception {
        return new JsonObject(Files.readString(dataDir.resolve("objects/convoy/clips/alice").resolve(clipId).resolve("manifest.json")));
    }

    @Test
    void aFileThatIsNotAVideoEndsFailedWithItsOriginalKept() throws Exception {
        Path junk = downloads.resolve("notes.mp4");
        byte[] bytes = new byte[3 * MIB + 17];
        new Random(7).nextBytes(bytes);
        Files.write(junk, bytes);
        String token = live.server().deviceToken("alice", "cam-2");
        String url = Clips.upload(junk, token, live.server().baseUrl() + "/files/", Map.of("kind", "manual"));
        String clipId = url.substring(url.lastIndexOf('/') + 1);

        JsonObject clip = live.clips().awaitCommitted(clipId, token);
        assertThat(clip.getString("status")).isEqualTo("failed");
        assertThat(clip.getJsonObject("failure").getString("reason")).isEqualTo("not_a_video");
        assertThat(clip.getJsonObject("failure").getString("message")).isNotBlank();
        assertThat(Clips.sha256(live.clips().download(clip.getJsonObject("urls").getString("original")).getBytes())).isEqualTo(Clips.sha256(bytes));
        assertThat(clip.getJsonObject("urls").containsKey("preview")).isFalse();
    }

    @Test
    void anotherOwnersClipIsNotFoundAndATokenIsRequired() throws Exception {
        String token = live.server().deviceToken("alice", "cam-3");
        Path small = downloads.resolve("small.bin");
        Files.write(small, new byte[1000]);
        String url = Clips.upload(small, token, live.server().baseUrl() + "/files/", Map.of());
        String clipId = url.substring(url.lastIndexOf('/') + 1);

        HttpResponse<Buffer> other = TestServer.await(live.web().getAbs(live.server().baseUrl() + "/api/clips/" + clipId)
                .bearerTokenAuthentication(live.server().ownerToken("bob")).send());
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(other.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("clip_not_found");

        HttpResponse<Buffer> anonymous = TestServer.await(live.web().getAbs(live.server().baseUrl() + "/api/clips/" + clipId).send());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        HttpResponse<Buffer> forged = TestServer.await(live.web().getAbs(live.server().baseUrl() + "/api/clips/" + clipId)
                .bearerTokenAuthentication("eyJhbGciOiJIUzI1NiJ9.eyJvd25lciI6ImFsaWNlIn0.c2lnbmF0dXJl").send());
        assertThat(forged.statusCode()).isEqualTo(401);
        live.clips().awaitCommitted(clipId, token);
    }

    @Test
    void metricsAndHealthAreServed() throws Exception {
        HttpResponse<Buffer> metrics = TestServer.await(live.web().getAbs(live.server().managementUrl() + "/metrics").send());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.bodyAsString()).contains("convoy_upload_creations_total", "convoy_uploads_completed_total", "convoy_upload_bytes_total",
                "convoy_transcode_seconds_bucket", "convoy_commit_seconds_bucket", "jvm_memory_used_bytes",
                "convoy_transcode_queue_depth{kind=\"incident\"}", "convoy_uploads_active",
                "convoy_upload_request_seconds_bucket{method=\"PATCH\"", "convoy_upload_resumes_total");
        assertThat(metrics.bodyAsString()).containsPattern("convoy_spool_free_bytes [1-9]");
        assertThat(TestServer.await(live.web().getAbs(live.server().managementUrl() + "/health/live").send()).statusCode()).isEqualTo(200);
        HttpResponse<Buffer> ready = TestServer.await(live.web().getAbs(live.server().managementUrl() + "/health/ready").send());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.bodyAsJsonObject().getJsonObject("checks").getString("objectStore")).isEqualTo("UP");
    }
}
