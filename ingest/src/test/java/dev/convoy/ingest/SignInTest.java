package dev.convoy.ingest;

import static dev.convoy.ingest.ApiClient.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An owner signs in with a phone number and the code texted to it. */
class SignInTest {

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

    private HttpResponse<Buffer> askCode(String phone) throws Exception {
        return live.api().send(HttpMethod.POST, "/api/auth/code", null, new JsonObject().put("phone", phone));
    }

    private HttpResponse<Buffer> verify(String phone, String code) throws Exception {
        return live.api().send(HttpMethod.POST, "/api/auth/verify", null, new JsonObject().put("phone", phone).put("code", code));
    }

    @Test
    void theTextedCodeGivesASessionTokenForTheSameAccountEveryTime() throws Exception {
        HttpResponse<Buffer> asked = askCode("+44 20 7946 0958");
        assertThat(asked.statusCode()).isEqualTo(202);
        assertThat(asked.bodyAsJsonObject().getString("phone")).isEqualTo("+442079460958");
        assertThat(asked.bodyAsJsonObject().getLong("expiresInSeconds")).isEqualTo(300);
        String code = live.server().sms().lastCode("+442079460958");
        assertThat(live.server().sms().textsTo("+442079460958").get(0)).contains("Convoy").contains("5 minutes");

        String wrong = code.equals("999999") ? "999998" : "999999";
        HttpResponse<Buffer> miss = verify("+442079460958", wrong);
        assertThat(miss.statusCode()).isEqualTo(401);
        assertThat(errorCode(miss)).isEqualTo("code_wrong");
        assertThat(miss.bodyAsJsonObject().getJsonObject("error").getInteger("attemptsLeft")).isEqualTo(4);

        HttpResponse<Buffer> ok = verify("+442079460958", code);
        assertThat(ok.statusCode()).isEqualTo(200);
        JsonObject session = ok.bodyAsJsonObject();
        assertThat(session.getString("tokenType")).isEqualTo("Bearer");
        assertThat(session.getString("owner")).matches("o[0-9a-f]{20}");
        assertThat(Instant.parse(session.getString("expiresAt"))).isAfter(Instant.now().plus(Duration.ofDays(29)));
        HttpResponse<Buffer> clips = live.api().send(HttpMethod.GET, "/api/clips", session.getString("token"), null);
        assertThat(clips.statusCode()).isEqualTo(200);
        assertThat(clips.bodyAsJsonObject().getJsonArray("items")).isEmpty();
        assertThat(verify("+442079460958", code).statusCode()).as("a code is used once").isEqualTo(401);

        live.server().clock().advance(Duration.ofSeconds(31));
        JsonObject again = live.api().signIn("+442079460958");
        assertThat(again.getString("owner")).as("the same phone is the same owner").isEqualTo(session.getString("owner"));
        assertThat(live.api().signIn("+16502530000").getString("owner")).isNotEqualTo(session.getString("owner"));
    }

    @Test
    void signingOutEndsThatSessionAndSigningOutEverywhereEndsAllButNotTheDevices() throws Exception {
        // Owner session tokens lasted their 30 days whatever happened to the phone.
        String phone = "+33142685300";
        String first = live.api().signIn(phone).getString("token");
        live.server().clock().advance(Duration.ofSeconds(31));
        String second = live.api().signIn(phone).getString("token");
        String camera = live.api().pair(second, "Dash").getString("token");

        assertThat(live.api().send(HttpMethod.POST, "/api/auth/sign-out", first, null).statusCode()).isEqualTo(204);
        assertThat(live.api().send(HttpMethod.GET, "/api/clips", first, null).statusCode()).as("signed out").isEqualTo(401);
        assertThat(live.api().send(HttpMethod.GET, "/api/clips", second, null).statusCode()).as("the other session").isEqualTo(200);

        assertThat(live.api().send(HttpMethod.POST, "/api/auth/sign-out-everywhere", second, null).statusCode()).isEqualTo(204);
        assertThat(live.api().send(HttpMethod.GET, "/api/clips", second, null).statusCode()).isEqualTo(401);
        assertThat(live.api().send(HttpMethod.GET, "/api/clips/" + "0".repeat(32), camera, null).statusCode())
                .as("a paired camera keeps uploading").isEqualTo(404);

        // Tokens carry whole seconds: a sign-in in the same second as 'everywhere' would be ended with it.
        Thread.sleep(1_100);
        live.server().clock().advance(Duration.ofSeconds(31));
        String third = live.api().signIn(phone).getString("token");
        assertThat(live.api().send(HttpMethod.GET, "/api/clips", third, null).statusCode()).as("signing in again works").isEqualTo(200);
    }

    @Test
    void askingAgainAtOnceIsSlowedWithRetryAfter() throws Exception {
        assertThat(askCode("+4930901820").statusCode()).isEqualTo(202);
        HttpResponse<Buffer> again = askCode("+49 30 901820");
        assertThat(again.statusCode()).isEqualTo(429);
        assertThat(errorCode(again)).isEqualTo("too_many_requests");
        assertThat(Long.parseLong(again.getHeader("Retry-After"))).isBetween(1L, 31L);
        assertThat(live.server().sms().textsTo("+4930901820")).as("no second text").hasSize(1);
    }

    @Test
    void aCodeExpiresAfterFiveMinutes() throws Exception {
        assertThat(askCode("+33 1 42 68 53 00").statusCode()).isEqualTo(202);
        String code = live.server().sms().lastCode("+33142685300");
        live.server().clock().advance(Duration.ofMinutes(5).plusSeconds(1));
        HttpResponse<Buffer> late = verify("+33142685300", code);
        assertThat(late.statusCode()).isEqualTo(401);
        assertThat(errorCode(late)).isEqualTo("code_expired");
        assertThat(late.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("ask for a new one");
    }

    @Test
    void badRequestsAreRefusedWithASentence() throws Exception {
        HttpResponse<Buffer> noPlus = askCode("020 7946 0958");
        assertThat(noPlus.statusCode()).isEqualTo(400);
        assertThat(errorCode(noPlus)).isEqualTo("invalid_phone");
        assertThat(noPlus.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("country code");
        assertThat(errorCode(askCode("+1 123"))).isEqualTo("invalid_phone");

        HttpResponse<Buffer> notJson = TestServer.await(live.web().postAbs(live.server().baseUrl() + "/api/auth/code")
                .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{phone:")));
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(errorCode(notJson)).isEqualTo("invalid_body");
        HttpResponse<Buffer> empty = live.api().send(HttpMethod.POST, "/api/auth/verify", null, null);
        assertThat(errorCode(empty)).isEqualTo("invalid_body");
        HttpResponse<Buffer> badCode = verify("+442079460958", "12a");
        assertThat(badCode.statusCode()).isEqualTo(400);
        assertThat(errorCode(badCode)).isEqualTo("invalid_code_format");
        HttpResponse<Buffer> huge = live.api().send(HttpMethod.POST, "/api/auth/code", null,
                new JsonObject().put("phone", "+442079460958").put("pad", "x".repeat(10_000)));
        assertThat(huge.statusCode()).isEqualTo(413);
    }

    @Test
    void behindATrustedProxyEachClientHasItsOwnLimitsAndTheHeaderIsBelievedFromItOnly(@TempDir Path dir) throws Exception {
        // Once every client behind a load balancer shared one address, so one of them locked all out.
        try (LiveService proxied = LiveService.start(dir, "--trusted-proxies", "127.0.0.0/8")) {
            for (int i = 0; i < 20; i++) {
                assertThat(askCodeFrom(proxied, "+1650253" + String.format("%04d", i), "203.0.113.1").statusCode()).isEqualTo(202);
            }
            assertThat(askCodeFrom(proxied, "+16502530100", "203.0.113.1").statusCode()).as("the 21st of one client").isEqualTo(429);
            assertThat(askCodeFrom(proxied, "+16502530101", "203.0.113.2").statusCode()).as("another client").isEqualTo(202);
        }
    }

    private static HttpResponse<Buffer> askCodeFrom(LiveService service, String phone, String forwardedFor) throws Exception {
        return TestServer.await(service.web().postAbs(service.server().baseUrl() + "/api/auth/code")
                .putHeader("X-Forwarded-For", forwardedFor).sendJsonObject(new JsonObject().put("phone", phone)));
    }
}
