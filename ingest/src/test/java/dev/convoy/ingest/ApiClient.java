package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

/** The owner's side of {@code /api/}: sign in with a phone and its texted code, pair devices, any call. */
final class ApiClient {

    private final String baseUrl;
    private final WebClient web;
    private final RecordingSms sms;

    ApiClient(String baseUrl, WebClient web, RecordingSms sms) {
        this.baseUrl = baseUrl;
        this.web = web;
        this.sms = sms;
    }

    /** One request; {@code token} and {@code body} may be null. */
    HttpResponse<Buffer> send(HttpMethod method, String path, String token, JsonObject body) throws Exception {
        HttpRequest<Buffer> req = web.requestAbs(method, baseUrl + path);
        if (token != null) {
            req.putHeader("Authorization", "Bearer " + token);
        }
        return TestServer.await(body == null ? req.send() : req.sendJsonObject(body));
    }

    /** Signs in the way the app does: asks for a code, reads the text, sends the code back. Returns the verify answer. */
    JsonObject signIn(String phone) throws Exception {
        HttpResponse<Buffer> code = send(HttpMethod.POST, "/api/auth/code", null, new JsonObject().put("phone", phone));
        assertThat(code.statusCode()).as(code.bodyAsString()).isEqualTo(202);
        String e164 = code.bodyAsJsonObject().getString("phone");
        HttpResponse<Buffer> verified = send(HttpMethod.POST, "/api/auth/verify", null,
                new JsonObject().put("phone", phone).put("code", sms.lastCode(e164)));
        assertThat(verified.statusCode()).as(verified.bodyAsString()).isEqualTo(200);
        return verified.bodyAsJsonObject();
    }

    /** Pairs a device with the owner's token; returns the device with its token. */
    JsonObject pair(String ownerToken, String name) throws Exception {
        HttpResponse<Buffer> res = send(HttpMethod.POST, "/api/devices", ownerToken, new JsonObject().put("name", name));
        assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
        return res.bodyAsJsonObject();
    }

    static String errorCode(HttpResponse<Buffer> res) {
        return res.bodyAsJsonObject().getJsonObject("error").getString("code");
    }
}
