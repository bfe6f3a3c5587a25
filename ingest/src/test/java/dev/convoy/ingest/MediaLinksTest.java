package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.ingest.auth.SigningSecret;
import dev.convoy.ingest.web.MediaRoute;
import dev.convoy.transcoder.TestClips;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the embedded store, a clip's links lead through Convoy: relative to the API (no
 * loopback address, no port of the store), signed, expiring, seekable, and refused with a
 * sentence when changed or old.
 */
class MediaLinksTest {

    @TempDir
    static Path dataDir;

    static LiveService live;
    static String owner;
    static JsonObject clip;
    static byte[] original;

    @BeforeAll
    static void start() throws Exception {
        live = LiveService.start(dataDir);
        owner = live.server().ownerToken("media");
        Path file = TestClips.get(TestClips.Spec.small(320, 240, 1));
        original = Files.readAllBytes(file);
        String id = Clips.idOf(Clips.upload(file, live.server().deviceToken("media", "cam"), live.server().baseUrl() + "/files/",
                Map.of("kind", "incident")));
        clip = live.clips().awaitCommitted(id, owner);
    }

    @AfterAll
    static void stop() throws Exception {
        live.close();
    }

    private static HttpResponse<Buffer> get(String link, String range) throws Exception {
        var req = live.web().getAbs(live.server().baseUrl() + link);
        if (range != null) {
            req.putHeader("Range", range);
        }
        return TestServer.await(req.send());
    }

    private static String errorCode(HttpResponse<Buffer> res) {
        return res.bodyAsJsonObject().getJsonObject("error").getString("code");
    }

    @Test
    void linksAreRelativeToTheApiAndNameNoAddressOfTheStore() throws Exception {
        JsonObject urls = clip.getJsonObject("urls");
        String storePort = ":" + live.server().objectStore().endpoint().getPort();
        urls.forEach(e -> assertThat((String) e.getValue()).as(e.getKey()).startsWith("/media/").doesNotContain(storePort));
        String thumbnail = live.api().send(HttpMethod.GET, "/api/clips", owner, null).bodyAsJsonObject()
                .getJsonArray("items").getJsonObject(0).getString("thumbnailUrl");
        assertThat(thumbnail).startsWith("/media/");
        HttpResponse<Buffer> picture = get(thumbnail, null);
        assertThat(picture.statusCode()).isEqualTo(200);
        assertThat(picture.getHeader("Content-Type")).isEqualTo("image/jpeg");
        assertThat(picture.getHeader("Cache-Control")).startsWith("private");
    }

    @Test
    void theOriginalIsWholeAndItsRangesAreServed() throws Exception {
        String link = clip.getJsonObject("urls").getString("original");
        HttpResponse<Buffer> whole = get(link, null);
        assertThat(whole.getHeader("Content-Disposition")).startsWith("attachment;");
        assertThat(whole.body().getBytes()).isEqualTo(original);
        HttpResponse<Buffer> middle = get(link, "bytes=1000-1099");
        assertThat(middle.statusCode()).isEqualTo(206);
        assertThat(middle.getHeader("Content-Range")).isEqualTo("bytes 1000-1099/" + original.length);
        assertThat(middle.body().getBytes()).isEqualTo(Arrays.copyOfRange(original, 1000, 1100));
        HttpResponse<Buffer> tail = get(link, "bytes=-10");
        assertThat(tail.body().getBytes()).isEqualTo(Arrays.copyOfRange(original, original.length - 10, original.length));
        assertThat(get(link, "bytes=" + (original.length + 10) + "-").statusCode()).as("past the end").isEqualTo(416);
        String etag = whole.getHeader("ETag");
        assertThat(etag).isNotBlank();
        HttpResponse<Buffer> unchanged = TestServer.await(live.web().getAbs(live.server().baseUrl() + link)
                .putHeader("If-None-Match", etag).send());
        assertThat(unchanged.statusCode()).as("a browser's copy is still good").isEqualTo(304);
        HttpResponse<Buffer> head = TestServer.await(live.web().headAbs(live.server().baseUrl() + link).send());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.getHeader("Content-Length")).isEqualTo(Integer.toString(original.length));
        assertThat(head.body()).isNull();
    }

    @Test
    void relayedFilesAreCountedWithTheStoresRequestsAndAMissingKeyIsNoError() throws Exception {
        assertThat(get(clip.getJsonObject("urls").getString("poster"), null).statusCode()).isEqualTo(200);
        assertThat(live.api().send(HttpMethod.GET, "/api/clips/" + "0".repeat(32), owner, null).statusCode()).isEqualTo(404);
        String metrics = TestServer.await(live.web().getAbs(live.server().managementUrl() + "/metrics").send()).bodyAsString();
        assertThat(metrics).containsPattern("convoy_store_requests_total\\{[^}]*operation=\"GetObject\",outcome=\"ok\"[^}]*\\} [1-9]");
        // The manifest of a clip that is not there was looked for: an answer, not a failure.
        assertThat(metrics).containsPattern("outcome=\"not_found\"[^}]*\\} [1-9]");
        assertThat(metrics).doesNotContainPattern("outcome=\"error\"[^}]*\\} [1-9]");
    }

    @Test
    void aClipsLinksStayTheSameForAWhileSoThatBrowsersCacheThem() throws Exception {
        Instant now = Instant.parse("2026-11-28T10:00:01Z");
        String secret = SigningSecret.loadOrCreate(dataDir, null);
        String first = new MediaRoute(live.vertx(), null, secret, Clock.fixed(now, ZoneOffset.UTC))
                .link("clips/a/b/thumb.jpg", Duration.ofHours(1), null);
        String later = new MediaRoute(live.vertx(), null, secret, Clock.fixed(now.plusSeconds(30), ZoneOffset.UTC))
                .link("clips/a/b/thumb.jpg", Duration.ofHours(1), null);
        assertThat(later).isEqualTo(first);
        long expires = Long.parseLong(first.replaceAll(".*[?&]e=([0-9]+).*", "$1"));
        assertThat(expires).as("never sooner than asked").isBetween(now.plus(Duration.ofHours(1)).getEpochSecond(),
                now.plus(Duration.ofHours(1)).getEpochSecond() + MediaRoute.EXPIRY_STEP_SECONDS);
    }

    @Test
    void aChangedOrOldLinkIsRefusedWithASentence() throws Exception {
        String link = clip.getJsonObject("urls").getString("preview");
        String otherKey = link.replaceFirst("/[^/?]+\\?", "/original.mp4?");
        assertThat(otherKey).isNotEqualTo(link);
        HttpResponse<Buffer> changed = get(otherKey, null);
        assertThat(changed.statusCode()).isEqualTo(403);
        assertThat(errorCode(changed)).isEqualTo("media_link_invalid");
        assertThat(errorCode(get(link.replaceAll("&s=[^&]*", ""), null))).isEqualTo("media_link_invalid");
        assertThat(errorCode(get(link.replaceAll("e=[0-9]+", "e=99999999999"), null))).as("a later expiry").isEqualTo("media_link_invalid");
        assertThat(errorCode(get(link.replaceAll("e=[0-9]+", "e=soon"), null))).isEqualTo("media_link_invalid");

        String key = link.substring("/media/".length(), link.indexOf('?'));
        Clock yesterday = Clock.fixed(Instant.now().minus(Duration.ofDays(1)), ZoneOffset.UTC);
        String old = new MediaRoute(live.vertx(), null, SigningSecret.loadOrCreate(dataDir, null), yesterday)
                .link(key, Duration.ofHours(1), null);
        HttpResponse<Buffer> expired = get(old, null);
        assertThat(expired.statusCode()).isEqualTo(403);
        assertThat(errorCode(expired)).isEqualTo("media_link_expired");
        assertThat(expired.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("ask the API for the clip again");
    }
}
