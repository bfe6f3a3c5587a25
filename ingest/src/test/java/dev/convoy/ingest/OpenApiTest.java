package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.transcoder.TestClips;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Response;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The document served at {@code /api/openapi.yaml} describes the service: real answers of every
 * operation in it, good and bad, are validated against it (status, headers, body schema), and
 * every operation it lists is exercised.
 */
class OpenApiTest {

    @TempDir
    static Path dataDir;

    private static final String OPERATOR = "+16502530077";

    static LiveService live;
    static OpenAPIContract contract;
    static ResponseValidator validator;
    final Set<String> exercised = new TreeSet<>();
    final List<String> invalid = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        live = LiveService.start(dataDir, "--operator-phones", OPERATOR);
        HttpResponse<Buffer> doc = live.api().send(HttpMethod.GET, "/api/openapi.yaml", null, null);
        assertThat(doc.statusCode()).isEqualTo(200);
        assertThat(doc.getHeader("Content-Type")).isEqualTo("application/yaml");
        // vertx-openapi refuses contracts with media types it does not know: the tus PATCH body type (only
        // answers are checked here), this document's YAML and the media's any type are swapped for ones it knows.
        String yaml = doc.bodyAsString().replace("application/offset+octet-stream:", "application/octet-stream:")
                .replace("application/yaml:", "text/plain:").replace("'*/*':", "application/octet-stream:");
        Path file = Files.writeString(dataDir.resolve("openapi.yaml"), yaml);
        contract = TestServer.await(OpenAPIContract.from(live.vertx(), file.toString()));
        validator = ResponseValidator.create(live.vertx(), contract);
    }

    @AfterAll
    static void stop() throws Exception {
        live.close();
    }

    private HttpResponse<Buffer> check(String operationId, HttpResponse<Buffer> res) throws Exception {
        Map<String, String> headers = new HashMap<>();
        res.headers().forEach(e -> headers.put(e.getKey(), e.getValue()));
        String type = res.getHeader("Content-Type");
        boolean json = type != null && type.startsWith("application/json");
        boolean text = !json && res.body() != null && res.body().length() > 0;
        if (text) {
            // vertx-openapi validates JSON bodies only: for text answers (tus errors, metrics, this document) the
            // status and the required headers are checked against the contract here, and the text below.
            Response documented = contract.operation(operationId).getResponse(res.statusCode());
            if (documented == null) {
                invalid.add(operationId + " " + res.statusCode() + ": status not documented");
            } else {
                documented.getHeaders().stream().filter(Parameter::isRequired).filter(h -> res.getHeader(h.getName()) == null)
                        .forEach(h -> invalid.add(operationId + " " + res.statusCode() + ": no " + h.getName() + " header"));
            }
        } else {
            ValidatableResponse response = json
                    ? ValidatableResponse.create(res.statusCode(), headers, res.body(), type)
                    : ValidatableResponse.create(res.statusCode(), headers);
            try {
                TestServer.await(validator.validate(response, operationId));
            } catch (Exception e) {
                invalid.add(operationId + " " + res.statusCode() + ": " + (e.getCause() != null ? e.getCause() : e)
                        + " body=" + res.bodyAsString());
            }
        }
        if (operationId.startsWith("tus") && res.statusCode() >= 400 && res.body() != null && res.body().length() > 0
                && !res.bodyAsString().matches("(?s)ERR_[A-Z_]+: .{10,}")) {
            invalid.add(operationId + " " + res.statusCode() + ": not 'ERR_CODE: sentence': " + res.bodyAsString());
        }
        exercised.add(operationId);
        return res;
    }

    private HttpResponse<Buffer> api(String operationId, HttpMethod method, String path, String token, JsonObject body)
            throws Exception {
        return check(operationId, live.api().send(method, path, token, body));
    }

    /** An operation of the management port, which the document names as those paths' server. */
    private HttpResponse<Buffer> management(String operationId, String path) throws Exception {
        return check(operationId, TestServer.await(live.web().getAbs(live.server().managementUrl() + path).send()));
    }

    private HttpRequest<Buffer> tus(HttpMethod method, String url, String token) {
        HttpRequest<Buffer> req = live.web().requestAbs(method, url.startsWith("http") ? url : live.server().baseUrl() + url)
                .putHeader("Tus-Resumable", "1.0.0");
        return token == null ? req : req.putHeader("Authorization", "Bearer " + token);
    }

    @Test
    void everyOperationAnswersAsDocumented() throws Exception {
        // Sign-in and devices.
        api("sendCode", HttpMethod.POST, "/api/auth/code", null, new JsonObject().put("phone", "+44 20 7946 0958"));
        api("sendCode", HttpMethod.POST, "/api/auth/code", null, new JsonObject().put("phone", "+44 20 7946 0958"));
        api("sendCode", HttpMethod.POST, "/api/auth/code", null, new JsonObject().put("phone", "0000"));
        api("verifyCode", HttpMethod.POST, "/api/auth/verify", null, new JsonObject().put("phone", "+442079460958").put("code", "1"));
        String code = live.server().sms().lastCode("+442079460958");
        String wrong = code.equals("000000") ? "000001" : "000000";
        api("verifyCode", HttpMethod.POST, "/api/auth/verify", null, new JsonObject().put("phone", "+442079460958").put("code", wrong));
        String owner = api("verifyCode", HttpMethod.POST, "/api/auth/verify", null,
                new JsonObject().put("phone", "+442079460958").put("code", code)).bodyAsJsonObject().getString("token");
        JsonObject device = api("pairDevice", HttpMethod.POST, "/api/devices", owner, new JsonObject().put("name", "Front"))
                .bodyAsJsonObject();
        String camera = device.getString("token");
        api("pairDevice", HttpMethod.POST, "/api/devices", owner, new JsonObject().put("name", ""));
        api("pairDevice", HttpMethod.POST, "/api/devices", camera, new JsonObject().put("name", "x"));
        JsonObject spare = api("pairDevice", HttpMethod.POST, "/api/devices", owner, new JsonObject().put("name", "Spare"))
                .bodyAsJsonObject();
        api("listDevices", HttpMethod.GET, "/api/devices", owner, null);
        api("listDevices", HttpMethod.GET, "/api/devices", null, null);
        api("revokeDevice", HttpMethod.DELETE, "/api/devices/" + spare.getString("deviceId"), owner, null);
        api("revokeDevice", HttpMethod.DELETE, "/api/devices/nope", owner, null);
        api("listDevices", HttpMethod.GET, "/api/devices", owner, null);

        // Uploads.
        check("tusOptions", TestServer.await(live.web().requestAbs(HttpMethod.OPTIONS, live.server().baseUrl() + "/files/")
                .putHeader("Tus-Resumable", "1.0.0").send()));
        HttpResponse<Buffer> created = check("tusCreate", TestServer.await(tus(HttpMethod.POST, "/files/", camera)
                .putHeader("Upload-Length", "10").send()));
        String upload = created.getHeader("Location");
        check("tusCreate", TestServer.await(tus(HttpMethod.POST, "/files/", camera).putHeader("Upload-Length", "-1").send()));
        check("tusCreate", TestServer.await(tus(HttpMethod.POST, "/files/", null).putHeader("Upload-Length", "1").send()));
        check("tusHead", TestServer.await(tus(HttpMethod.HEAD, upload, camera).send()));
        check("tusHead", TestServer.await(tus(HttpMethod.HEAD, "/files/0123", camera).send()));
        check("tusPatch", TestServer.await(tus(HttpMethod.PATCH, upload, camera).putHeader("Upload-Offset", "0")
                .putHeader("Content-Type", "application/offset+octet-stream").sendBuffer(Buffer.buffer("hello"))));
        check("tusPatch", TestServer.await(tus(HttpMethod.PATCH, upload, camera).putHeader("Upload-Offset", "0")
                .putHeader("Content-Type", "application/offset+octet-stream").sendBuffer(Buffer.buffer("hello"))));
        check("tusDelete", TestServer.await(tus(HttpMethod.DELETE, upload, camera).send()));
        check("tusDelete", TestServer.await(tus(HttpMethod.DELETE, upload, camera).send()));

        // Clips.
        Path clip = TestClips.get(TestClips.Spec.small(320, 240, 1));
        String id = Clips.idOf(Clips.upload(clip, camera, live.server().baseUrl() + "/files/", Map.of("kind", "drive")));
        api("getClip", HttpMethod.GET, "/api/clips/" + id, owner, null);
        live.clips().awaitCommitted(id, owner);
        api("getClip", HttpMethod.GET, "/api/clips/" + id, camera, null);
        api("getClip", HttpMethod.GET, "/api/clips/" + "f".repeat(32), owner, null);
        api("listClips", HttpMethod.GET, "/api/clips?limit=1", owner, null);
        api("listClips", HttpMethod.GET, "/api/clips?limit=0", owner, null);
        api("listClips", HttpMethod.GET, "/api/clips", camera, null);
        api("listClips", HttpMethod.GET, "/api/clips", "garbage", null);
        String thumbnail = api("listClips", HttpMethod.GET, "/api/clips?kind=drive", owner, null).bodyAsJsonObject()
                .getJsonArray("items").getJsonObject(0).getString("thumbnailUrl");
        check("media", TestServer.await(live.web().getAbs(live.server().baseUrl() + thumbnail).send()));
        check("media", TestServer.await(live.web().getAbs(live.server().baseUrl() + thumbnail).putHeader("Range", "bytes=0-9").send()));
        check("media", TestServer.await(live.web().getAbs(live.server().baseUrl() + thumbnail.replace("thumb", "thumbs")).send()));
        check("media", TestServer.await(live.web().getAbs(live.server().baseUrl() + thumbnail).putHeader("Range", "bytes=99999999-")
                .send()));
        check("mediaHead", TestServer.await(live.web().headAbs(live.server().baseUrl() + thumbnail).send()));
        check("mediaHead", TestServer.await(live.web().headAbs(live.server().baseUrl() + thumbnail + "x").send()));
        api("deleteClip", HttpMethod.DELETE, "/api/clips/" + id, camera, null);
        api("deleteClip", HttpMethod.DELETE, "/api/clips/" + id, owner, null);
        api("deleteClip", HttpMethod.DELETE, "/api/clips/" + id, owner, null);

        // Operations.
        assertThat(api("openApi", HttpMethod.GET, "/api/openapi.yaml", null, null).bodyAsString()).startsWith("openapi: 3.1.0");
        assertThat(management("metrics", "/metrics").bodyAsString()).contains("# TYPE convoy_");
        management("live", "/health/live");
        management("ready", "/health/ready");
        String operator = live.api().signIn(OPERATOR).getString("token");
        api("opsStats", HttpMethod.GET, "/api/ops/stats", operator, null);
        api("opsStats", HttpMethod.GET, "/api/ops/stats?since=x", operator, null);
        api("opsStats", HttpMethod.GET, "/api/ops/stats?last=1", operator, null);
        api("opsStats", HttpMethod.GET, "/api/ops/stats", owner, null);
        api("opsStats", HttpMethod.GET, "/api/ops/stats", null, null);

        // Signing out, last: it ends the owner's sessions.
        api("signOut", HttpMethod.POST, "/api/auth/sign-out", camera, null);
        api("signOut", HttpMethod.POST, "/api/auth/sign-out", owner, null);
        api("signOut", HttpMethod.POST, "/api/auth/sign-out", owner, null);
        api("signOutEverywhere", HttpMethod.POST, "/api/auth/sign-out-everywhere", null, null);
        String other = live.api().signIn("+16502530000").getString("token");
        api("signOutEverywhere", HttpMethod.POST, "/api/auth/sign-out-everywhere", other, null);
        api("signOutEverywhere", HttpMethod.POST, "/api/auth/sign-out-everywhere", camera, null);

        assertThat(invalid).as("answers that do not match the document").isEmpty();
        Set<String> documented = new TreeSet<>(contract.operations().stream().map(Operation::getOperationId).toList());
        assertThat(exercised).as("every documented operation was exercised").isEqualTo(documented);
    }
}
