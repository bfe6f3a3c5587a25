package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.transcoder.TestClips;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /api/clips: an owner's clips from the listing index, newest first, filtered and paged. */
class ClipListingTest {

    @TempDir
    static Path dataDir;

    static LiveService live;
    static String alice;
    static String incident;
    static String manual;
    static String drive;

    @BeforeAll
    static void start() throws Exception {
        live = LiveService.start(dataDir);
        alice = live.server().ownerToken("alice");
        Path clip = TestClips.get(TestClips.Spec.small(640, 360, 2));
        String base = live.server().baseUrl() + "/files/";
        incident = id(Clips.upload(clip, live.server().deviceToken("alice", "front"), base,
                Map.of("kind", "incident", "event", "hard_brake", "recordedAt", "2026-11-20T10:00:00Z")));
        manual = id(Clips.upload(clip, live.server().deviceToken("alice", "rear"), base,
                Map.of("kind", "manual", "recordedAt", "2026-11-22T10:00:00Z")));
        drive = id(Clips.upload(clip, live.server().deviceToken("alice", "front"), base,
                Map.of("kind", "drive", "recordedAt", "2026-11-21T10:00:00Z")));
        Clips.upload(clip, live.server().deviceToken("bob", "cam"), base, Map.of("kind", "incident"));
        for (String id : List.of(incident, manual, drive)) {
            live.clips().awaitCommitted(id, alice);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        live.close();
    }

    private static String id(String url) {
        return url.substring(url.lastIndexOf('/') + 1);
    }

    private static HttpResponse<Buffer> get(String query, String token) throws Exception {
        return TestServer.await(live.web().requestAbs(HttpMethod.GET, live.server().baseUrl() + "/api/clips" + query)
                .bearerTokenAuthentication(token).send());
    }

    private static List<String> ids(String query) throws Exception {
        HttpResponse<Buffer> res = get(query, alice);
        assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
        JsonArray items = res.bodyAsJsonObject().getJsonArray("items");
        return items.stream().map(o -> ((JsonObject) o).getString("id")).toList();
    }

    @Test
    void newestFirstWithWhatTheListShows() throws Exception {
        assertThat(ids("")).containsExactly(manual, drive, incident);
        JsonObject first = get("?kind=incident", alice).bodyAsJsonObject().getJsonArray("items").getJsonObject(0);
        assertThat(first.getString("id")).isEqualTo(incident);
        assertThat(first.getString("event")).isEqualTo("hard_brake");
        assertThat(first.getString("deviceId")).isEqualTo("front");
        assertThat(first.getString("recordedAt")).isEqualTo("2026-11-20T10:00:00Z");
        assertThat(first.getString("status")).isEqualTo("ready");
        assertThat(first.getLong("durationMs")).isBetween(1_900L, 2_100L);
        HttpResponse<Buffer> thumb = TestServer.await(live.web().getAbs(live.clips().absolute(first.getString("thumbnailUrl"))).send());
        assertThat(thumb.statusCode()).isEqualTo(200);
        assertThat(thumb.getHeader("Content-Type")).isEqualTo("image/jpeg");
    }

    @Test
    void filters() throws Exception {
        assertThat(ids("?device=front")).containsExactly(drive, incident);
        assertThat(ids("?event=hard_brake")).containsExactly(incident);
        assertThat(ids("?kind=drive&device=front")).containsExactly(drive);
        assertThat(ids("?status=failed")).isEmpty();
        assertThat(ids("?from=2026-11-21T00:00:00Z")).containsExactly(manual, drive);
        assertThat(ids("?from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z")).containsExactly(drive);
        assertThat(ids("?to=2026-11-21T10:00:00Z")).as("to is exclusive").containsExactly(incident);
        assertThat(ids("?to=2026-11-21T10:00:00.001Z")).containsExactly(drive, incident);
        assertThat(ids("?to=2026-11-19T00:00:00Z")).isEmpty();
        assertThat(ids("?kind=manual&to=2026-11-23T00:00:00Z")).containsExactly(manual);
    }

    @Test
    void pagesWithinAKind() throws Exception {
        JsonObject page1 = get("?kind=incident&limit=1", alice).bodyAsJsonObject();
        assertThat(page1.getJsonArray("items").getJsonObject(0).getString("id")).isEqualTo(incident);
        assertThat(page1.getString("nextCursor")).as("the kind's index holds nothing more").isNull();
        String cursor = get("?limit=1", alice).bodyAsJsonObject().getString("nextCursor");
        assertThat(ids("?cursor=" + cursor)).containsExactly(drive, incident);
        HttpResponse<Buffer> mixed = get("?kind=drive&cursor=" + cursor, alice);
        assertThat(mixed.statusCode()).as("a cursor of the whole index does not page one kind's").isEqualTo(400);
    }

    @Test
    void pagesWithACursor() throws Exception {
        JsonObject page1 = get("?limit=2", alice).bodyAsJsonObject();
        assertThat(page1.getJsonArray("items")).hasSize(2);
        String cursor = page1.getString("nextCursor");
        assertThat(cursor).isNotBlank();
        JsonObject page2 = get("?limit=2&cursor=" + cursor, alice).bodyAsJsonObject();
        assertThat(page2.getJsonArray("items")).hasSize(1);
        assertThat(page2.getJsonArray("items").getJsonObject(0).getString("id")).isEqualTo(incident);
        assertThat(page2.getString("nextCursor")).isNull();
    }

    @Test
    void onlyTheOwnersClipsAndOnlyWithAnOwnerToken() throws Exception {
        HttpResponse<Buffer> bob = get("", live.server().ownerToken("bob"));
        assertThat(bob.bodyAsJsonObject().getJsonArray("items")).hasSize(1);
        assertThat(bob.bodyAsString()).doesNotContain(incident, manual, drive);
        assertThat(get("", live.server().deviceToken("alice", "front")).statusCode()).isEqualTo(403);
        assertThat(get("", "junk").statusCode()).isEqualTo(401);
        // Bob's cursor cannot page through Alice's index.
        String aliceCursor = get("?limit=1", alice).bodyAsJsonObject().getString("nextCursor");
        assertThat(get("?cursor=" + aliceCursor, live.server().ownerToken("bob")).statusCode()).isEqualTo(400);
    }

    @Test
    void badParametersAreRefusedWithASentence() throws Exception {
        for (String query : List.of("?limit=0", "?limit=500", "?limit=ten", "?kind=parking", "?status=gone",
                "?from=yesterday", "?cursor=bm90LWEta2V5", "?cursor=***")) {
            HttpResponse<Buffer> res = get(query, alice);
            assertThat(res.statusCode()).as(query).isEqualTo(400);
            assertThat(res.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invalid_parameter");
            assertThat(res.bodyAsJsonObject().getJsonObject("error").getString("message")).hasSizeGreaterThan(20);
        }
    }
}
