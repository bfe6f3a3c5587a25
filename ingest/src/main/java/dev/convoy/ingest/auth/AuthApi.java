package dev.convoy.ingest.auth;

import dev.convoy.ingest.web.ApiErrors;
import dev.convoy.ingest.web.OwnerRequests;
import dev.convoy.ingest.web.PeerRequests;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-in with a phone number and a texted code ({@code /api/auth/code}, {@code /api/auth/verify}),
 * and the owner's devices ({@code /api/devices}): pair one (its token is shown once), list
 * them, revoke one.
 */
public final class AuthApi {

    private static final Logger LOG = LoggerFactory.getLogger(AuthApi.class);
    private static final int MAX_NAME = 64;

    private final PhoneNumbers phones;
    private final SignInCodes codes;
    private final SmsSender sms;
    private final Accounts accounts;
    private final DeviceTokens tokens;
    private final ClientAddress clients;
    private final DeviceRegistry devices;
    private final TextBudget texts;

    /** The texting side: codes, their limits, the sender and the budget of texts. */
    public record Texting(SignInCodes codes, TextBudget budget, SmsSender sender) {
    }

    /**
     * The other nodes, where a code may be waiting: a phone that asked one node for a code may
     * send it to another.
     */
    public interface OtherNodes {
        /** What another node answered to a request it had a code for. */
        record Answer(int status, JsonObject body) {
        }

        /**
         * Asks the other nodes to check the code in {@code request} (sent with {@code peerToken},
         * which vouches for the client's address): the answer of the node that had a code for
         * the phone, or null when none had.
         */
        Future<Answer> verify(RoutingContext rc, JsonObject request, String peerToken);
    }

    /** The header a node sends a peer's token in, with a request it passes on for a client. */
    public static final String PEER_TOKEN = "Convoy-Peer-Token";

    private OtherNodes others;
    /** Whose sessions are operators' too; nobody's unless set. */
    private Operators operators;

    public AuthApi(PhoneNumbers phones, Texting texting, Accounts accounts, DeviceTokens tokens,
                   DeviceRegistry devices, ClientAddress clients) {
        this.clients = clients;
        this.phones = phones;
        this.codes = texting.codes();
        this.texts = texting.budget();
        this.sms = texting.sender();
        this.accounts = accounts;
        this.tokens = tokens;
        this.devices = devices;
    }

    /** Several nodes: a code typed in on this one may have been sent from another. */
    public AuthApi withOtherNodes(OtherNodes otherNodes) {
        this.others = otherNodes;
        return this;
    }

    /** Sign-ins with the operators' numbers get operators' sessions, which may read {@code /ops}. */
    public AuthApi withOperators(Operators operators) {
        this.operators = operators;
        return this;
    }

    public void mount(Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(4096);
        router.post("/api/auth/code").handler(body).handler(this::sendCode);
        router.post("/api/auth/verify").handler(body).handler(this::verify);
        router.post("/api/auth/sign-out").handler(this::signOut);
        router.post("/api/auth/sign-out-everywhere").handler(this::signOutEverywhere);
        router.post("/api/devices").handler(body).handler(this::pair);
        router.get("/api/devices").handler(this::listDevices);
        router.delete("/api/devices/:id").handler(this::revoke);
    }

    /** Who is asking, for the limits: the peer, or behind a trusted proxy the address it forwards for. */
    private String client(RoutingContext rc) {
        return clients.of(rc.request().remoteAddress().hostAddress(), rc.request().headers().getAll("X-Forwarded-For"));
    }

    private void sendCode(RoutingContext rc) {
        JsonObject req = jsonBody(rc);
        String phone = req == null ? null : phone(rc, req);
        if (phone == null) {
            return;
        }
        String country = PhoneNumbers.region(phone);
        TextBudget.Taken text = texts.take(country);
        if (!text.granted()) {
            TextBudget.Refusal spent = text.refusal();
            if (spent.closed()) {
                ApiErrors.send(rc, 403, "sms_country_not_served", "This service sends no sign-in texts to numbers of "
                        + country + "; sign in with a number of another country.");
                return;
            }
            rc.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(spent.retryAfterSeconds()));
            ApiErrors.send(rc, 429, "sms_budget_exhausted", "Sign-in texts are paused: as many were sent in the last hour as"
                    + " this service allows. Try again in " + minutes(spent.retryAfterSeconds()) + ".");
            return;
        }
        SignInCodes.Request code = codes.request(phone, client(rc));
        if (!code.issued()) {
            texts.giveBack(text);
            slowed(rc, code.retryAfterSeconds());
            return;
        }
        sms.send(phone, "Your Convoy code is " + code.code() + ". It expires in "
                        + SignInCodes.CODE_LIFETIME.toMinutes() + " minutes; never share it.")
                .onSuccess(v -> ApiErrors.json(rc, 202, new JsonObject().put("phone", phone)
                        .put("expiresInSeconds", SignInCodes.CODE_LIFETIME.toSeconds())))
                .onFailure(err -> {
                    LOG.error("event=sms_failed cause=\"{}\"", err.toString());
                    texts.giveBack(text);
                    ApiErrors.send(rc, 502, "sms_failed", "The text message could not be sent; try again in a minute.");
                });
    }

    private void verify(RoutingContext rc) {
        JsonObject req = jsonBody(rc);
        String phone = req == null ? null : phone(rc, req);
        if (phone == null) {
            return;
        }
        Object rawCode = req.getValue("code");
        if (!(rawCode instanceof String code) || !code.matches("[0-9]{6}")) {
            ApiErrors.send(rc, 400, "invalid_code_format", "Send the 6-digit code from the text message as a string, e.g. \"042917\".");
            return;
        }
        clientOf(rc).onSuccess(client -> {
            if (others != null && !PeerRequests.fromPeer(rc.request()) && !codes.isPending(phone)) {
                others.verify(rc, req, tokens.issuePeer(client)).onComplete(ar -> {
                    if (ar.succeeded() && ar.result() != null) {
                        ApiErrors.json(rc, ar.result().status(), ar.result().body());
                    } else {
                        check(rc, phone, code, client);
                    }
                });
            } else {
                check(rc, phone, code, client);
            }
        });
    }

    /** The client a request comes from: as a peer's token says for a request another node passed on. */
    private Future<String> clientOf(RoutingContext rc) {
        String peerToken = rc.request().getHeader(PEER_TOKEN);
        if (peerToken == null || !PeerRequests.fromPeer(rc.request())) {
            return Future.succeededFuture(client(rc));
        }
        return tokens.peerClient(peerToken).recover(err -> Future.succeededFuture(client(rc)));
    }

    private void check(RoutingContext rc, String phone, String code, String client) {
        SignInCodes.Check check = codes.check(phone, code, client);
        switch (check.outcome()) {
            case SLOWED -> slowed(rc, check.retryAfterSeconds());
            case NO_CODE -> ApiErrors.send(rc, 401, "code_expired",
                    "No code is waiting for this number (it expired, was used, or was tried 5 times); ask for a new one.");
            case WRONG_CODE -> ApiErrors.send(rc, 401, new JsonObject().put("code", "code_wrong")
                    .put("message", check.attemptsLeft() > 0
                            ? "That code is not the one sent; " + check.attemptsLeft() + " tries left."
                            : "That code is not the one sent, and it was the last try; ask for a new code.")
                    .put("attemptsLeft", check.attemptsLeft()));
            case SIGNED_IN -> accounts.ownerFor(rc.vertx().getOrCreateContext(), phone)
                    .onSuccess(owner -> {
                        boolean operator = operators != null && operators.isOperatorPhone(phone);
                        LOG.info("event=signed_in owner={} operator={}", owner, operator);
                        ApiErrors.json(rc, 200, new JsonObject()
                                .put("token", tokens.issueOwner(owner, operator))
                                .put("tokenType", "Bearer")
                                .put("owner", owner)
                                .put("operator", operator)
                                .put("expiresAt", Instant.now().plus(DeviceTokens.OWNER_TOKEN_LIFETIME).toString()));
                    })
                    .onFailure(err -> ApiErrors.failed(rc, err));
        }
    }

    private void pair(RoutingContext rc) {
        OwnerRequests.asOwner(tokens, rc, "pairs devices", owner -> {
            JsonObject req = jsonBody(rc);
            if (req == null) {
                return;
            }
            Object name = req.getValue("name");
            if (!(name instanceof String text) || text.isBlank() || text.length() > MAX_NAME) {
                ApiErrors.send(rc, 400, "invalid_name", "Name the device (1 to " + MAX_NAME + " characters), e.g. {\"name\": \"Front camera\"}.");
                return;
            }
            devices.pair(rc.vertx().getOrCreateContext(), owner, text.strip())
                    .onSuccess(device -> {
                        LOG.info("event=device_paired owner={} device={}", owner, device.getString("deviceId"));
                        rc.response().putHeader(HttpHeaders.LOCATION, "/api/devices/" + device.getString("deviceId"));
                        ApiErrors.json(rc, 201, device);
                    })
                    .onFailure(err -> {
                        if (err instanceof DeviceRegistry.TooManyDevices) {
                            ApiErrors.send(rc, 409, "too_many_devices", err.getMessage());
                        } else {
                            ApiErrors.failed(rc, err);
                        }
                    });
        });
    }

    /** Ends the session of the owner token the request carries; that token is refused from now on. */
    private void signOut(RoutingContext rc) {
        tokens.authenticate(rc.request().getHeader(HttpHeaders.AUTHORIZATION))
                .onFailure(err -> ApiErrors.failed(rc, err))
                .onSuccess(who -> {
                    if (who.isDevice() || who.session() == null) {
                        ApiErrors.ownerOnly(rc, "signs out");
                        return;
                    }
                    devices.signOut(rc.vertx().getOrCreateContext(), who.owner(), who.session())
                            .onSuccess(v -> {
                                LOG.info("event=signed_out owner={} session={}", who.owner(), who.session());
                                rc.response().setStatusCode(204).end();
                            })
                            .onFailure(err -> ApiErrors.failed(rc, err));
                });
    }

    /** Ends every session of the owner (a lost phone): every owner token issued until now is refused. */
    private void signOutEverywhere(RoutingContext rc) {
        OwnerRequests.asOwner(tokens, rc, "signs out everywhere", owner -> devices.signOutEverywhere(rc.vertx().getOrCreateContext(), owner)
                .onSuccess(v -> {
                    LOG.info("event=signed_out_everywhere owner={}", owner);
                    rc.response().setStatusCode(204).end();
                })
                .onFailure(err -> ApiErrors.failed(rc, err)));
    }

    private void listDevices(RoutingContext rc) {
        OwnerRequests.asOwner(tokens, rc, "lists devices", owner -> devices.list(rc.vertx().getOrCreateContext(), owner)
                .onSuccess(items -> ApiErrors.json(rc, 200, new JsonObject().put("items", items)))
                .onFailure(err -> ApiErrors.failed(rc, err)));
    }

    private void revoke(RoutingContext rc) {
        String id = rc.pathParam("id");
        OwnerRequests.asOwner(tokens, rc, "revokes devices", owner -> devices.revoke(rc.vertx().getOrCreateContext(), owner, id)
                .onSuccess(device -> {
                    if (device == null) {
                        ApiErrors.send(rc, 404, "device_not_found", "No device " + id + " is paired to this owner.");
                    } else {
                        LOG.info("event=device_revoked owner={} device={}", owner, id);
                        rc.response().setStatusCode(204).end();
                    }
                })
                .onFailure(err -> ApiErrors.failed(rc, err)));
    }

    /** The request's JSON object, or null after answering 400. */
    private static JsonObject jsonBody(RoutingContext rc) {
        try {
            JsonObject body = rc.body() == null || rc.body().length() == 0 ? null : rc.body().asJsonObject();
            if (body != null) {
                return body;
            }
        } catch (DecodeException | ClassCastException e) {
            // Answered below.
        }
        ApiErrors.send(rc, 400, "invalid_body", "Send a JSON object with Content-Type: application/json.");
        return null;
    }

    /** The E.164 form of the body's phone, or null after answering 400. */
    private String phone(RoutingContext rc, JsonObject req) {
        Object raw = req.getValue("phone");
        try {
            return phones.toE164(raw instanceof String s ? s : null);
        } catch (IllegalArgumentException e) {
            ApiErrors.send(rc, 400, "invalid_phone", e.getMessage());
            return null;
        }
    }

    private static String minutes(long seconds) {
        long minutes = Math.max(1, (seconds + 59) / 60);
        return minutes == 1 ? "a minute" : minutes + " minutes";
    }

    private static void slowed(RoutingContext rc, long seconds) {
        rc.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        ApiErrors.send(rc, 429, "too_many_requests", "Too many sign-in requests; try again in " + seconds + " seconds.");
    }

}
