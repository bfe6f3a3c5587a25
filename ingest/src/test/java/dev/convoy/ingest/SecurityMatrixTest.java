package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.ingest.auth.DeviceTokens;
import dev.convoy.ingest.auth.SigningSecret;
import dev.convoy.transcoder.TestClips;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two owners, each signed in with a phone and with two paired devices, and every kind of bad
 * token, against every endpoint of {@code /files/} and {@code /api/} that touches an owner's
 * things. Nothing of owner A is readable, listable, writable or deletable by B or B's devices
 * (A's things answer B with 404, as if absent); devices cannot do owner-only things; revoked,
 * expired, malformed and missing tokens get 401.
 */
class SecurityMatrixTest {

    @TempDir
    static Path dataDir;

    static LiveService live;
    static final Map<String, String> TOKENS = new LinkedHashMap<>();
    static String clipA;
    static String clipB;
    static String uploadA;
    static String deviceA2Id;
    static String ownerAId;

    static final String OWNER_A = "owner A";
    static final String OWNER_B = "owner B";
    static final String DEVICE_A1 = "device A1";
    static final String DEVICE_A2 = "device A2";
    static final String DEVICE_B1 = "device B1";
    static final String DEVICE_B2 = "device B2";
    static final String REVOKED = "revoked device of A";
    static final String EXPIRED = "expired owner token of A";
    static final String NONE = "no token";
    static final String MALFORMED = "malformed token";

    static final Set<String> OF_A = Set.of(OWNER_A, DEVICE_A1, DEVICE_A2);
    static final Set<String> OF_B = Set.of(OWNER_B, DEVICE_B1, DEVICE_B2);
    static final Set<String> OWNERS = Set.of(OWNER_A, OWNER_B);
    static final Set<String> INVALID = Set.of(REVOKED, EXPIRED, NONE, MALFORMED);

    @BeforeAll
    static void start() throws Exception {
        live = LiveService.start(dataDir);
        JsonObject a = live.api().signIn("+44 20 7946 0958");
        JsonObject b = live.api().signIn("+1 650 253 0000");
        ownerAId = a.getString("owner");
        TOKENS.put(OWNER_A, a.getString("token"));
        TOKENS.put(OWNER_B, b.getString("token"));
        TOKENS.put(DEVICE_A1, live.api().pair(a.getString("token"), "A front").getString("token"));
        JsonObject a2 = live.api().pair(a.getString("token"), "A rear");
        deviceA2Id = a2.getString("deviceId");
        TOKENS.put(DEVICE_A2, a2.getString("token"));
        TOKENS.put(DEVICE_B1, live.api().pair(b.getString("token"), "B front").getString("token"));
        TOKENS.put(DEVICE_B2, live.api().pair(b.getString("token"), "B rear").getString("token"));
        JsonObject lost = live.api().pair(a.getString("token"), "A lost");
        TOKENS.put(REVOKED, lost.getString("token"));
        TOKENS.put(EXPIRED, expiredOwnerToken(ownerAId));
        TOKENS.put(NONE, null);
        TOKENS.put(MALFORMED, "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln");

        Path clip = TestClips.get(TestClips.Spec.small(320, 240, 1));
        clipA = Clips.idOf(Clips.upload(clip, TOKENS.get(DEVICE_A1), live.server().baseUrl() + "/files/", Map.of()));
        clipB = Clips.idOf(Clips.upload(clip, TOKENS.get(DEVICE_B1), live.server().baseUrl() + "/files/", Map.of()));
        live.clips().awaitCommitted(clipA, TOKENS.get(OWNER_A));
        live.clips().awaitCommitted(clipB, TOKENS.get(OWNER_B));
        uploadA = create(TOKENS.get(DEVICE_A1), null).getHeader("Location");
        assertThat(live.api().send(HttpMethod.DELETE, "/api/devices/" + lost.getString("deviceId"), TOKENS.get(OWNER_A), null)
                .statusCode()).isEqualTo(204);
    }

    @AfterAll
    static void stop() throws Exception {
        live.close();
    }

    /** An owner token of A signed with the service's real secret, whose expiry has passed. */
    private static String expiredOwnerToken(String owner) throws Exception {
        JWTAuth jwt = JWTAuth.create(live.vertx(), new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
                .setAlgorithm("HS256").setBuffer(SigningSecret.loadOrCreate(dataDir, null))));
        long now = System.currentTimeMillis() / 1000;
        return jwt.generateToken(new JsonObject().put("sub", owner).put("owner", owner).put("typ", "owner")
                .put("iat", now - 7200).put("exp", now - 3600), new JWTOptions().setAlgorithm("HS256"));
    }

    private static HttpResponse<Buffer> create(String token, String concat) throws Exception {
        HttpRequest<Buffer> req = tus(HttpMethod.POST, live.server().baseUrl() + "/files/", token).putHeader("Upload-Length", "1000");
        if (concat != null) {
            req.putHeader("Upload-Concat", concat);
        }
        return TestServer.await(req.send());
    }

    private static HttpRequest<Buffer> tus(HttpMethod method, String url, String token) {
        HttpRequest<Buffer> req = live.web().requestAbs(method, url).putHeader("Tus-Resumable", "1.0.0");
        return token == null ? req : req.putHeader("Authorization", "Bearer " + token);
    }

    private static long offsetOf(String url) throws Exception {
        return Long.parseLong(TestServer.await(tus(HttpMethod.HEAD, url, TOKENS.get(OWNER_A)).send()).getHeader("Upload-Offset"));
    }

    private static String absolute(String location) {
        return location.startsWith("http") ? location : live.server().baseUrl() + location;
    }

    /** One endpoint: how to call it with a token, and the status each identity must get. */
    private record Row(String endpoint, Function<String, HttpResponse<Buffer>> call, Function<String, Integer> expected) {
    }

    private interface Call {
        HttpResponse<Buffer> apply(String token) throws Exception;
    }

    private static Function<String, HttpResponse<Buffer>> call(Call c) {
        return token -> {
            try {
                return c.apply(token);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private static Function<String, Integer> expect(int ofA, int ofB) {
        return who -> INVALID.contains(who) ? 401 : OF_A.contains(who) ? ofA : ofB;
    }

    private static Function<String, Integer> ownersOnly(int ownerA, int ownerB) {
        return who -> INVALID.contains(who) ? 401 : who.equals(OWNER_A) ? ownerA : who.equals(OWNER_B) ? ownerB : 403;
    }

    @Test
    void nothingOfOneOwnerReachesAnother() throws Exception {
        String api = "/api/clips/";
        List<Row> rows = List.of(
                new Row("POST /files/", call(t -> create(t, null)), expect(201, 201)),
                new Row("HEAD /files/{A's upload}", call(t -> TestServer.await(tus(HttpMethod.HEAD, absolute(uploadA), t).send())),
                        expect(200, 404)),
                new Row("PATCH /files/{A's upload}", call(t -> TestServer.await(tus(HttpMethod.PATCH, absolute(uploadA), t)
                        .putHeader("Content-Type", "application/offset+octet-stream")
                        .putHeader("Upload-Offset", Long.toString(offsetOf(absolute(uploadA))))
                        .sendBuffer(Buffer.buffer("x")))), expect(204, 404)),
                // A fresh partial of A's each time: a part may be joined by one final upload only.
                new Row("POST /files/ final of A's partial", call(t -> TestServer.await(tus(HttpMethod.POST,
                        live.server().baseUrl() + "/files/", t).putHeader("Upload-Concat", "final;"
                                + absolute(create(TOKENS.get(DEVICE_A1), "partial").getHeader("Location"))).send())),
                        who -> INVALID.contains(who) ? 401 : OF_A.contains(who) ? 201 : 400),
                new Row("DELETE /files/{A's upload} by others", call(t -> TestServer.await(tus(HttpMethod.DELETE, absolute(uploadA), t)
                        .send())), who -> INVALID.contains(who) ? 401 : OF_A.contains(who) ? -1 : 404),
                new Row("GET /api/clips", call(t -> live.api().send(HttpMethod.GET, "/api/clips", t, null)), ownersOnly(200, 200)),
                new Row("GET /api/clips/{A's clip}", call(t -> live.api().send(HttpMethod.GET, api + clipA, t, null)),
                        expect(200, 404)),
                new Row("DELETE /api/clips/{A's clip} by others", call(t -> live.api().send(HttpMethod.DELETE, api + clipA, t, null)),
                        who -> who.equals(OWNER_A) ? -1 : ownersOnly(-1, 404).apply(who)),
                new Row("GET /api/devices", call(t -> live.api().send(HttpMethod.GET, "/api/devices", t, null)), ownersOnly(200, 200)),
                new Row("POST /api/devices", call(t -> live.api().send(HttpMethod.POST, "/api/devices", t,
                        new JsonObject().put("name", "extra"))), ownersOnly(201, 201)),
                new Row("DELETE /api/devices/{A's device} by others", call(t -> live.api().send(HttpMethod.DELETE,
                        "/api/devices/" + deviceA2Id, t, null)), who -> who.equals(OWNER_A) ? -1 : ownersOnly(-1, 404).apply(who)),
                // The operators' numbers: no owner or device here is an operator.
                new Row("GET /api/ops/stats", call(t -> live.api().send(HttpMethod.GET, "/api/ops/stats", t, null)),
                        who -> INVALID.contains(who) ? 401 : 403));

        List<String> wrong = new ArrayList<>();
        for (Row row : rows) {
            for (Map.Entry<String, String> id : TOKENS.entrySet()) {
                int expected = row.expected().apply(id.getKey());
                if (expected < 0) {
                    continue;
                }
                HttpResponse<Buffer> res = row.call().apply(id.getValue());
                if (res.statusCode() != expected) {
                    wrong.add(row.endpoint() + " as " + id.getKey() + ": " + res.statusCode() + " (expected " + expected + ") "
                            + res.bodyAsString());
                }
                if (expected == 401 && res.getHeader("WWW-Authenticate") == null && res.getHeader("Tus-Resumable") == null) {
                    wrong.add(row.endpoint() + " as " + id.getKey() + ": 401 without WWW-Authenticate");
                }
            }
        }
        assertThat(wrong).as("status by endpoint and identity").isEmpty();

        // What the matrix must not have changed or shown.
        JsonObject clipsOfB = live.api().send(HttpMethod.GET, "/api/clips", TOKENS.get(OWNER_B), null).bodyAsJsonObject();
        assertThat(clipsOfB.encode()).contains(clipB).doesNotContain(clipA);
        JsonObject clipsOfA = live.api().send(HttpMethod.GET, "/api/clips", TOKENS.get(OWNER_A), null).bodyAsJsonObject();
        assertThat(clipsOfA.encode()).contains(clipA).doesNotContain(clipB);
        String devicesOfB = live.api().send(HttpMethod.GET, "/api/devices", TOKENS.get(OWNER_B), null).bodyAsString();
        assertThat(devicesOfB).doesNotContain(deviceA2Id).doesNotContain("A front");
        assertThat(live.api().send(HttpMethod.GET, api + clipA, TOKENS.get(OWNER_A), null).statusCode()).isEqualTo(200);
        assertThat(TestServer.await(tus(HttpMethod.HEAD, absolute(uploadA), TOKENS.get(OWNER_A)).send()).statusCode())
                .as("A's upload survived B's deletes").isEqualTo(200);
        assertThat(create(TOKENS.get(DEVICE_A2), null).statusCode()).as("A's device survived B's revoke").isEqualTo(201);
        assertThat(dataDir.resolve("objects/convoy/clips/" + ownerAId + "/" + clipA + "/manifest.json")).exists();

        // And A can do what B could not.
        assertThat(TestServer.await(tus(HttpMethod.DELETE, absolute(uploadA), TOKENS.get(DEVICE_A2)).send()).statusCode()).isEqualTo(204);
        assertThat(live.api().send(HttpMethod.DELETE, api + clipA, TOKENS.get(OWNER_A), null).statusCode()).isEqualTo(204);
        assertThat(live.api().send(HttpMethod.DELETE, "/api/devices/" + deviceA2Id, TOKENS.get(OWNER_A), null).statusCode())
                .isEqualTo(204);
        assertThat(create(TOKENS.get(DEVICE_A2), null).statusCode()).isEqualTo(401);

        // A session marked an operator's whose account is not one of the operators' numbers (any more) reads nothing.
        String marked = new DeviceTokens(live.vertx(), SigningSecret.loadOrCreate(dataDir, null)).issueOwner(ownerAId, true);
        HttpResponse<Buffer> stats = live.api().send(HttpMethod.GET, "/api/ops/stats", marked, null);
        assertThat(stats.statusCode()).isEqualTo(403);
        assertThat(ApiClient.errorCode(stats)).isEqualTo("operator_only");
    }
}
