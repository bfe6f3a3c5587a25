package dev.convoy.ingest.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Bearer tokens (HS256 JWTs): device tokens for cameras and phone apps, owner tokens for
 * the owner's own API calls. Every token names its owner; device tokens also the device.
 */
public final class DeviceTokens {

    /** Owners and devices appear in object keys: keep them to a safe alphabet. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private static final String BEARER = "bearer ";
    private static final SecureRandom SESSION_IDS = new SecureRandom();
    /** The revocation that ends every owner session issued until then ("sign out everywhere"). */
    static final String ALL_SESSIONS = "sessions";

    /** How long an owner's session token lasts. */
    public static final Duration OWNER_TOKEN_LIFETIME = Duration.ofDays(30);

    private final JWTAuth jwt;
    private final Revocations revocations;

    public DeviceTokens(Vertx vertx, String secret) {
        this(vertx, secret, null);
    }

    public DeviceTokens(Vertx vertx, String secret, Revocations revocations) {
        this.revocations = revocations;
        this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    }

    public String issueDevice(String owner, String deviceId) {
        requireId("owner", owner);
        requireId("device", deviceId);
        return jwt.generateToken(new JsonObject().put("sub", deviceId).put("owner", owner).put("device", deviceId).put("typ", "device"),
                new JWTOptions().setAlgorithm("HS256"));
    }

    /** A session token for the owner; each has its own session id, so that signing out ends that one alone. */
    public String issueOwner(String owner) {
        return issueOwner(owner, false);
    }

    /** An owner's session token; an {@code operator}'s may also read the operators' page and its numbers. */
    public String issueOwner(String owner, boolean operator) {
        requireId("owner", owner);
        byte[] sid = new byte[12];
        SESSION_IDS.nextBytes(sid);
        JsonObject claims = new JsonObject().put("sub", owner).put("owner", owner).put("typ", "owner")
                .put("sid", HexFormat.of().formatHex(sid));
        if (operator) {
            claims.put("ops", true);
        }
        return jwt.generateToken(claims,
                new JWTOptions().setAlgorithm("HS256").setExpiresInMinutes((int) OWNER_TOKEN_LIFETIME.toMinutes()));
    }

    /**
     * A one-minute token one node sends another with a request it passes on for a client,
     * vouching for the client's address (a peer's own address would make every client one).
     * It names no owner, so it authenticates nobody.
     */
    public String issuePeer(String clientAddress) {
        return jwt.generateToken(new JsonObject().put("typ", "peer").put("addr", clientAddress),
                new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(60));
    }

    /** The client address a peer's token vouches for; fails with {@link AuthException} for anything else. */
    public Future<String> peerClient(String token) {
        return jwt.authenticate(new TokenCredentials(token))
                .recover(err -> Future.failedFuture(new AuthException("invalid peer token")))
                .compose(user -> "peer".equals(user.principal().getString("typ")) && user.principal().getString("addr") != null
                        ? Future.succeededFuture(user.principal().getString("addr"))
                        : Future.failedFuture(new AuthException("not a peer token")));
    }

    /** Checks an {@code Authorization} header; fails with {@link AuthException} when it is missing or invalid. */
    public Future<Principal> authenticate(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Future.failedFuture(new AuthException("missing bearer token"));
        }
        String token = authorization.substring(BEARER.length()).trim();
        return jwt.authenticate(new TokenCredentials(token))
                // The library's words are not logged: they may quote the token, whose header anyone can write.
                .recover(err -> Future.failedFuture(new AuthException("invalid token")))
                .compose(user -> {
                    JsonObject claims = user.principal();
                    String owner = claims.getString("owner");
                    if (owner == null || !ID.matcher(owner).matches()) {
                        return Future.failedFuture(new AuthException("token names no owner"));
                    }
                    String device = "device".equals(claims.getString("typ")) ? claims.getString("device") : null;
                    if (device != null && revocations != null
                            && revocations.isRevoked(owner, device, issuedAt(user))) {
                        return Future.failedFuture(new AuthException("device token revoked"));
                    }
                    String session = device == null ? claims.getString("sid") : null;
                    if (device == null && revocations != null && (revocations.isRevoked(owner, ALL_SESSIONS, issuedAt(user))
                            || (session != null && revocations.isRevoked(owner, sessionKey(session), issuedAt(user))))) {
                        return Future.failedFuture(new AuthException("session signed out"));
                    }
                    boolean operator = device == null && Boolean.TRUE.equals(claims.getValue("ops"));
                    return Future.succeededFuture(new Principal(owner, device, session, operator));
                });
    }

    /** The name a signed-out session is revoked under, beside device ids (which start with 'd'). */
    static String sessionKey(String session) {
        return "session." + session;
    }

    /** Vert.x moves the standard time claims out of the principal into the user's attributes. */
    private static long issuedAt(User user) {
        Object iat = user.containsKey("iat") ? user.get("iat") : null;
        return iat instanceof Number n ? n.longValue() : 0L;
    }

    private static void requireId(String what, String value) {
        if (value == null || !ID.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " id must be 1-64 of A-Z a-z 0-9 . _ - (starting with a letter or digit), not '" + value + "'");
        }
    }
}
