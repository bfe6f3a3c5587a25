package dev.convoy.ingest;

import static dev.convoy.ingest.ApiClient.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.transcoder.TestClips;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An owner pairs a camera, the camera uploads with its token, the owner revokes it and the token stops at once. */
class DevicePairingTest {

    @TempDir
    Path dataDir;

    private static HttpResponse<Buffer> createUpload(LiveService live, String token) throws Exception {
        return TestServer.await(live.web().postAbs(live.server().baseUrl() + "/files/")
                .putHeader("Tus-Resumable", "1.0.0").putHeader("Upload-Length", "10")
                .bearerTokenAuthentication(token).send());
    }

    @Test
    void aPairedDeviceUploadsUntilItIsRevokedAndStaysRevokedAfterARestart() throws Exception {
        String deviceToken;
        String owner;
        try (LiveService live = LiveService.start(dataDir)) {
            JsonObject session = live.api().signIn("+44 20 7946 0958");
            owner = session.getString("token");
            HttpResponse<Buffer> paired = live.api().send(HttpMethod.POST, "/api/devices", owner,
                    new JsonObject().put("name", "  Front camera "));
            assertThat(paired.statusCode()).isEqualTo(201);
            JsonObject device = paired.bodyAsJsonObject();
            String deviceId = device.getString("deviceId");
            assertThat(deviceId).matches("d[0-9a-f]{16}");
            assertThat(device.getString("name")).isEqualTo("Front camera");
            assertThat(paired.getHeader("Location")).isEqualTo("/api/devices/" + deviceId);
            deviceToken = device.getString("token");
            assertThat(deviceToken).isNotBlank();

            Path clip = TestClips.get(TestClips.Spec.small(320, 240, 1));
            String url = Clips.upload(clip, deviceToken, live.server().baseUrl() + "/files/", Map.of("kind", "incident"));
            JsonObject committed = live.clips().awaitCommitted(Clips.idOf(url), owner);
            assertThat(committed.getString("deviceId")).isEqualTo(deviceId);
            assertThat(committed.getString("owner")).isEqualTo(session.getString("owner"));

            JsonArray listed = live.api().send(HttpMethod.GET, "/api/devices", owner, null).bodyAsJsonObject().getJsonArray("items");
            assertThat(listed).hasSize(1);
            assertThat(listed.getJsonObject(0).getString("deviceId")).isEqualTo(deviceId);
            assertThat(listed.getJsonObject(0).containsKey("token")).as("a token is shown once only").isFalse();
            assertThat(listed.getJsonObject(0).getString("revokedAt")).isNull();

            HttpResponse<Buffer> devicePairs = live.api().send(HttpMethod.POST, "/api/devices", deviceToken,
                    new JsonObject().put("name", "sneaky"));
            assertThat(devicePairs.statusCode()).isEqualTo(403);
            assertThat(errorCode(devicePairs)).isEqualTo("owner_token_required");
            assertThat(createUpload(live, deviceToken).statusCode()).as("before revocation").isEqualTo(201);

            assertThat(live.api().send(HttpMethod.DELETE, "/api/devices/" + deviceId, owner, null).statusCode()).isEqualTo(204);
            HttpResponse<Buffer> refused = createUpload(live, deviceToken);
            assertThat(refused.statusCode()).as("revoked at once").isEqualTo(401);
            assertThat(live.api().send(HttpMethod.GET, "/api/clips/" + committed.getString("id"), deviceToken, null).statusCode())
                    .isEqualTo(401);
            assertThat(live.api().send(HttpMethod.GET, "/api/devices", owner, null).bodyAsJsonObject().getJsonArray("items")
                    .getJsonObject(0).getString("revokedAt")).isNotNull();
            assertThat(live.api().send(HttpMethod.DELETE, "/api/devices/" + deviceId, owner, null).statusCode())
                    .as("revoking twice is harmless").isEqualTo(204);
            HttpResponse<Buffer> unknown = live.api().send(HttpMethod.DELETE, "/api/devices/d0000000000000000", owner, null);
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(errorCode(unknown)).isEqualTo("device_not_found");

            HttpResponse<Buffer> unnamed = live.api().send(HttpMethod.POST, "/api/devices", owner, new JsonObject().put("name", " "));
            assertThat(unnamed.statusCode()).isEqualTo(400);
            assertThat(errorCode(unnamed)).isEqualTo("invalid_name");
            HttpResponse<Buffer> longName = live.api().send(HttpMethod.POST, "/api/devices", owner,
                    new JsonObject().put("name", "x".repeat(65)));
            assertThat(errorCode(longName)).isEqualTo("invalid_name");
        }
        try (LiveService again = LiveService.start(dataDir)) {
            assertThat(createUpload(again, deviceToken).statusCode()).as("revocations come back from object storage")
                    .isEqualTo(401);
            assertThat(createUpload(again, owner).statusCode()).as("the owner's session survives").isEqualTo(201);
        }
    }

    @Test
    void aDeviceRevokedWhileItSendsGetsNoReceiptAndItsBytesDoNotCount(@TempDir Path dir) throws Exception {
        // Once a revoked camera's upload in flight was acknowledged to the end and became a clip.
        try (LiveService live = LiveService.start(dir)) {
            String owner = live.api().signIn("+44 20 7946 0959").getString("token");
            JsonObject device = live.api().pair(owner, "Stolen camera");
            String camera = device.getString("token");
            HttpResponse<Buffer> created = createUpload(live, camera);
            String id = created.getHeader("Location").substring(created.getHeader("Location").lastIndexOf('/') + 1);
            int length = Integer.parseInt(created.getHeader("Upload-Length"));
            String head = "PATCH /files/" + id + " HTTP/1.1\r\nHost: localhost\r\nTus-Resumable: 1.0.0\r\n"
                    + "Authorization: Bearer " + camera + "\r\nUpload-Offset: 0\r\n"
                    + "Content-Type: application/offset+octet-stream\r\nContent-Length: " + length + "\r\n\r\n";
            String answer;
            try (Socket socket = new Socket("127.0.0.1", live.server().port())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[length / 2]);
                out.flush();
                assertThat(live.api().send(HttpMethod.DELETE, "/api/devices/" + device.getString("deviceId"), owner, null)
                        .statusCode()).isEqualTo(204);
                out.write(new byte[length - length / 2]);
                out.flush();
                answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            }
            assertThat(answer).startsWith("HTTP/1.1 401");
            assertThat(answer.toLowerCase(Locale.ROOT)).as("its connection is closed").contains("connection: close");
            JsonObject clip = live.api().send(HttpMethod.GET, "/api/clips/" + id, owner, null).bodyAsJsonObject();
            assertThat(clip.getString("status")).as("no clip is made of it").isEqualTo("uploading");
            assertThat(clip.getLong("received")).isZero();
        }
    }

    @Test
    void anOwnerPairsAtMostTheAllowedNumberOfDevicesAndARevokedOneFreesItsPlace(@TempDir Path dir) throws Exception {
        try (LiveService live = LiveService.start(dir, "--max-devices-per-owner", "2")) {
            String owner = live.api().signIn("+44 20 7946 0960").getString("token");
            JsonObject first = live.api().pair(owner, "Front");
            live.api().pair(owner, "Rear");

            HttpResponse<Buffer> third = live.api().send(HttpMethod.POST, "/api/devices", owner, new JsonObject().put("name", "Cabin"));

            assertThat(third.statusCode()).isEqualTo(409);
            assertThat(errorCode(third)).isEqualTo("too_many_devices");
            assertThat(live.api().send(HttpMethod.DELETE, "/api/devices/" + first.getString("deviceId"), owner, null).statusCode())
                    .isEqualTo(204);
            assertThat(live.api().pair(owner, "Cabin").getString("token")).isNotBlank();
        }
    }
}
