package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.transcoder.TestClips;
import io.tus.java.client.TusClient;
import io.tus.java.client.TusURLMemoryStore;
import io.tus.java.client.TusUpload;
import io.tus.java.client.TusUploader;
import io.vertx.core.json.JsonObject;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clips whose container reads from the front are transcoded while they arrive: the real tus
 * client sends them a mebibyte at a time, as a camera on a slow link does, and the pass runs
 * alongside. A stall gives the worker up and the pass starts again; an MP4 with its index at the
 * end waits for its last byte, as before.
 */
class ArrivingClipsTest {

    private static final int MIB = 1 << 20;

    @TempDir
    static Path dataDir;

    static LiveService live;

    @BeforeAll
    static void start() throws Exception {
        // A pass waits one second for more bytes before it gives its worker up; originals over 5 MiB go up in parts as they arrive.
        live = LiveService.start(dataDir, "--transcode-arriving-wait", "1", "--s3-part-size", Integer.toString(5 * MIB));
    }

    @AfterAll
    static void stop() throws Exception {
        live.close();
    }

    /**
     * Sends {@code file} with tus-java-client, one 1 MiB request after another, {@code pauseMs}
     * apart; after {@code stallAfter} bytes it waits {@code stallMs} once. Returns the clip id.
     */
    private static String paced(Path file, String token, Map<String, String> metadata, long pauseMs, long stallAfter, long stallMs)
            throws Exception {
        return paced(file, token, metadata, pauseMs, stallAfter, stallMs, (id, offset) -> { });
    }

    /** What the test does between requests: with the clip's id and the bytes sent so far. */
    @FunctionalInterface
    private interface Between {
        void sent(String id, long offset) throws Exception;
    }

    private static String paced(Path file, String token, Map<String, String> metadata, long pauseMs, long stallAfter, long stallMs,
                                Between between) throws Exception {
        TusClient client = new TusClient();
        client.setUploadCreationURL(new URL(live.server().baseUrl() + "/files/"));
        client.enableResuming(new TusURLMemoryStore());
        client.setHeaders(Map.of("Authorization", "Bearer " + token));
        TusUpload upload = new TusUpload(file.toFile());
        upload.setMetadata(metadata);
        TusUploader uploader = client.resumeOrCreateUpload(upload);
        uploader.setChunkSize(64 * 1024);
        uploader.setRequestPayloadSize(MIB);
        boolean stalled = false;
        while (uploader.uploadChunk() > -1) {
            if (uploader.getOffset() % MIB == 0) {
                // A request ended there: its bytes are acknowledged.
                between.sent(Clips.idOf(uploader.getUploadURL().toString()), uploader.getOffset());
                Thread.sleep(pauseMs);
                if (!stalled && uploader.getOffset() >= stallAfter) {
                    stalled = true;
                    Thread.sleep(stallMs);
                }
            }
        }
        uploader.finish();
        return Clips.idOf(uploader.getUploadURL().toString());
    }

    private static double metric(String pattern) throws Exception {
        String metrics = TestServer.await(live.web().getAbs(live.server().managementUrl() + "/metrics").send()).bodyAsString();
        Matcher m = Pattern.compile("(?m)^" + pattern + " ([0-9.eE+-]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static double earlyStarts() throws Exception {
        return metric("convoy_transcode_early_starts_total");
    }

    private static double stalls() throws Exception {
        return metric("convoy_transcode_early_yields_total\\{reason=\"upload_stalled\"\\}");
    }

    private static void assertReadyWithEveryRendition(JsonObject clip, Path source) throws Exception {
        assertThat(clip.getString("status")).as(clip.encodePrettily()).isEqualTo("ready");
        assertThat(clip.getJsonObject("urls").fieldNames()).contains("original", "preview", "poster", "thumbnail", "storyboard");
        assertThat(Clips.sha256(live.clips().download(clip.getJsonObject("urls").getString("original")).getBytes()))
                .isEqualTo(Clips.sha256(Files.readAllBytes(source)));
    }

    @Test
    void anMpegTsIncidentIsTranscodedWhileItArrives() throws Exception {
        Path source = TestClips.get(TestClips.Spec.fullHd(10, true).withFormat("mpegts"));
        String token = live.server().deviceToken("tess", "cam-ts");
        double before = earlyStarts();

        JsonObject[] seenUploading = new JsonObject[1];
        JsonObject[] listedUploading = new JsonObject[1];
        String id = paced(source, token, Map.of("kind", "incident", "event", "hard_brake", "eventOffsetMs", "3000",
                "filename", "incident.ts"), 250, Long.MAX_VALUE, 0, (clipId, offset) -> {
                    if (seenUploading[0] == null && offset >= 8L * MIB) {
                        JsonObject view = TestServer.await(live.web().getAbs(live.server().baseUrl() + "/api/clips/" + clipId)
                                .bearerTokenAuthentication(token).send()).bodyAsJsonObject();
                        if (view.containsKey("urls")) {
                            seenUploading[0] = view;
                            JsonObject listing = TestServer.await(live.web().getAbs(live.server().baseUrl() + "/api/clips")
                                    .bearerTokenAuthentication(live.server().ownerToken("tess")).send()).bodyAsJsonObject();
                            listedUploading[0] = listing.getJsonArray("items").stream().map(JsonObject.class::cast)
                                    .filter(item -> item.getString("id").equals(clipId)).findFirst().orElseThrow();
                        }
                    }
                });

        assertThat(earlyStarts()).as("its pass started before its last byte").isEqualTo(before + 1);
        assertThat(seenUploading[0]).as("its picture was there while it still uploaded").isNotNull();
        assertThat(seenUploading[0].getString("status")).isEqualTo("uploading");
        assertThat(listedUploading[0].getString("status")).isEqualTo("uploading");
        assertThat(listedUploading[0].getString("thumbnailUrl")).as("the listing shows its thumbnail while it uploads").isNotNull();
        byte[] poster = live.clips().download(seenUploading[0].getJsonObject("urls").getString("poster")).getBytes();
        assertThat(poster).as("a JPEG").startsWith((byte) 0xff, (byte) 0xd8);
        assertThat(seenUploading[0].getJsonObject("urls").fieldNames()).contains("thumbnail", "thumbnail-webp").doesNotContain("original");
        assertThat(metric("convoy_time_to_poster_seconds_count\\{kind=\"incident\"\\}")).isGreaterThanOrEqualTo(1);
        JsonObject clip = live.clips().awaitCommitted(id, token);
        assertReadyWithEveryRendition(clip, source);
        assertThat(clip.getJsonObject("probe").getLong("durationMs")).as("measured from its frames").isBetween(9_900L, 10_100L);
        assertThat(clip.getJsonObject("probe").getInteger("height")).isEqualTo(1080);
    }

    @Test
    void aPassWhoseUploadStallsGivesUpItsWorkerAndStartsAgainWhenBytesCome() throws Exception {
        Path source = TestClips.get(TestClips.Spec.small(1280, 720, 6).withAudio().withFormat("fmp4"));
        String token = live.server().deviceToken("tess", "cam-fmp4");
        double startsBefore = earlyStarts();
        double stallsBefore = stalls();

        // 1.5 Mbit/s for 6 s: about 1.1 MiB, sent as a first mebibyte, a stall of three seconds, then the rest.
        String id = paced(source, token, Map.of("kind", "manual", "filename", "trimmed.mp4"), 0, MIB, 3_000);

        JsonObject clip = live.clips().awaitCommitted(id, token);
        assertReadyWithEveryRendition(clip, source);
        assertThat(stalls()).as("the pass gave its worker up during the stall").isGreaterThanOrEqualTo(stallsBefore + 1);
        assertThat(earlyStarts()).isGreaterThanOrEqualTo(startsBefore + 1);
    }

    @Test
    void aClipDeletedWhileItArrivesStopsItsPassAndTakesItsPicturesWithIt() throws Exception {
        Path source = TestClips.get(TestClips.Spec.fullHd(10, true).withFormat("mpegts"));
        String token = live.server().deviceToken("tess", "cam-gone");
        byte[] bytes = Files.readAllBytes(source);
        TusClient client = new TusClient();
        client.setUploadCreationURL(new URL(live.server().baseUrl() + "/files/"));
        client.setHeaders(Map.of("Authorization", "Bearer " + token));
        TusUpload upload = new TusUpload(source.toFile());
        upload.setMetadata(Map.of("kind", "incident", "filename", "gone.ts"));
        TusUploader uploader = client.createUpload(upload);
        uploader.setChunkSize(64 * 1024);
        uploader.setRequestPayloadSize(MIB);
        while (uploader.getOffset() < bytes.length / 2) {
            uploader.uploadChunk();
        }
        uploader.finish();
        String id = Clips.idOf(uploader.getUploadURL().toString());
        Path prefix = dataDir.resolve("objects/convoy/clips/tess").resolve(id);
        JsonObject view = null;
        for (int i = 0; i < 100 && (view == null || !view.containsKey("urls")); i++) {
            Thread.sleep(100);
            view = TestServer.await(live.web().getAbs(live.server().baseUrl() + "/api/clips/" + id).bearerTokenAuthentication(token).send())
                    .bodyAsJsonObject();
        }
        assertThat(view.getJsonObject("urls").fieldNames()).as("its pictures, half-way").contains("poster");
        assertThat(prefix.resolve("poster.jpg")).exists();

        assertThat(TestServer.await(live.web().deleteAbs(live.server().baseUrl() + "/api/clips/" + id)
                .bearerTokenAuthentication(live.server().ownerToken("tess")).send()).statusCode()).isEqualTo(204);

        for (int i = 0; i < 100 && Files.exists(prefix.resolve("poster.jpg")); i++) {
            Thread.sleep(100);
        }
        assertThat(prefix.resolve("poster.jpg")).as("its pictures went with it").doesNotExist();
        assertThat(metric("convoy_transcode_early_yields_total\\{reason=\"upload_abandoned\"\\}")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void anMp4WithItsIndexAtTheEndWaitsForItsLastByte() throws Exception {
        Path source = TestClips.get(TestClips.Spec.small(1280, 720, 6).withAudio());
        String token = live.server().deviceToken("tess", "cam-mp4");
        double before = earlyStarts();

        String id = paced(source, token, Map.of("kind", "manual", "filename", "camera.mp4"), 100, Long.MAX_VALUE, 0);

        JsonObject clip = live.clips().awaitCommitted(id, token);
        assertReadyWithEveryRendition(clip, source);
        assertThat(earlyStarts()).as("an index at the end cannot be read from the front").isEqualTo(before);
    }
}
