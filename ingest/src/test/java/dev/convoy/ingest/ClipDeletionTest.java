package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.transcoder.TestClips;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An owner deletes a clip: it is gone from object storage, the API and the upload state. */
class ClipDeletionTest {

    @TempDir
    static Path dataDir;

    static LiveService live;

    @BeforeAll
    static void start() throws Exception {
        live = LiveService.start(dataDir);
    }

    @AfterAll
    static void stop() throws Exception {
        live.close();
    }

    private HttpResponse<Buffer> delete(String clipId, String token) throws Exception {
        return TestServer.await(live.web().requestAbs(HttpMethod.DELETE, live.server().baseUrl() + "/api/clips/" + clipId)
                .bearerTokenAuthentication(token).send());
    }

    @Test
    void aDeletedClipIsGoneEverywhereAndOnlyItsOwnerCanDeleteIt() throws Exception {
        String device = live.server().deviceToken("alice", "cam-del");
        String alice = live.server().ownerToken("alice");
        Path clip = TestClips.get(TestClips.Spec.small(640, 360, 2).withAudio());
        String url = Clips.upload(clip, device, live.server().baseUrl() + "/files/", Map.of("clientClipId", "cam-del/1"));
        String id = url.substring(url.lastIndexOf('/') + 1);
        JsonObject ready = live.clips().awaitCommitted(id, alice);
        assertThat(ready.getString("status")).isEqualTo("ready");
        String preview = ready.getJsonObject("urls").getString("preview");
        Path objects = dataDir.resolve("objects/convoy/clips/alice").resolve(id);
        assertThat(objects.resolve("manifest.json")).exists();

        HttpResponse<Buffer> byDevice = delete(id, device);
        assertThat(byDevice.statusCode()).isEqualTo(403);
        assertThat(byDevice.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("owner_token_required");
        HttpResponse<Buffer> byOtherOwner = delete(id, live.server().ownerToken("bob"));
        assertThat(byOtherOwner.statusCode()).isEqualTo(404);
        assertThat(delete(id, "not-a-token").statusCode()).isEqualTo(401);
        assertThat(live.clips().awaitCommitted(id, alice).getString("status")).as("still there").isEqualTo("ready");

        assertThat(delete(id, alice).statusCode()).isEqualTo(204);
        assertThat(TestServer.await(live.web().getAbs(live.server().baseUrl() + "/api/clips/" + id)
                .bearerTokenAuthentication(alice).send()).statusCode()).isEqualTo(404);
        assertThat(TestServer.await(live.web().getAbs(live.clips().absolute(preview)).send()).statusCode()).as("its URLs stop working").isEqualTo(404);
        assertThat(Files.exists(objects) ? files(objects).toList() : List.of()).as("no object of the clip is left").isEmpty();
        assertThat(dataDir.resolve("uploads").resolve(id + ".json")).doesNotExist();
        assertThat(delete(id, alice).statusCode()).as("a second delete").isEqualTo(404);

        // The camera's clip id is free again: the same clientClipId makes a new clip, not the deleted one.
        String again = Clips.upload(clip, device, live.server().baseUrl() + "/files/", Map.of("clientClipId", "cam-del/1"));
        assertThat(again).isNotEqualTo(url);
    }

    @Test
    void deletingAClipStillUploadingEndsTheUpload() throws Exception {
        String device = live.server().deviceToken("alice", "cam-del-2");
        HttpResponse<Buffer> created = TestServer.await(live.web().postAbs(live.server().baseUrl() + "/files/")
                .putHeader("Tus-Resumable", "1.0.0").bearerTokenAuthentication(device)
                .putHeader("Upload-Length", "1000").send());
        String id = created.getHeader("Location").substring(created.getHeader("Location").lastIndexOf('/') + 1);
        assertThat(delete(id, live.server().ownerToken("alice")).statusCode()).isEqualTo(204);
        HttpResponse<Buffer> head = TestServer.await(live.web().headAbs(live.server().baseUrl() + "/files/" + id)
                .putHeader("Tus-Resumable", "1.0.0").bearerTokenAuthentication(device).send());
        assertThat(head.statusCode()).isEqualTo(404);
        assertThat(dataDir.resolve("uploads").resolve(id + ".bin")).doesNotExist();
    }

    private static Stream<Path> files(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
