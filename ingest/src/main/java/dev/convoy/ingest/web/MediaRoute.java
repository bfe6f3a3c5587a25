package dev.convoy.ingest.web;

import dev.convoy.ingest.storage.MediaLinks;
import dev.convoy.ingest.storage.ObjectStore;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.BiConsumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Media of the embedded object store served through Convoy: its presigned URLs name a loopback
 * address and a port chosen at start, which no other machine can reach and no restart keeps.
 * Links are {@code /media/<key>?e=<expiry>&n=<download name>&s=<signature>}, relative to the
 * API's origin, signed with the token secret and expiring like presigned ones; a request is
 * passed to the store with its range and cache headers, so a video seeks and a browser caches.
 */
public final class MediaRoute implements MediaLinks {

    private static final Logger LOG = LoggerFactory.getLogger(MediaRoute.class);
    public static final String PREFIX = "/media/";
    /** What the store's answer may carry back to the client. */
    private static final List<CharSequence> PASSED_BACK = List.of(HttpHeaders.CONTENT_TYPE, HttpHeaders.CONTENT_LENGTH,
            HttpHeaders.CONTENT_RANGE, HttpHeaders.ACCEPT_RANGES, HttpHeaders.ETAG, HttpHeaders.LAST_MODIFIED,
            HttpHeaders.CONTENT_DISPOSITION);
    /** What the client's request may carry on to the store. */
    private static final List<CharSequence> PASSED_ON = List.of("Range", "If-Range",
            HttpHeaders.IF_NONE_MATCH, HttpHeaders.IF_MODIFIED_SINCE);
    /** The store's own presigned URL for one request needs to live only as long as the request takes to start. */
    private static final Duration INNER_TTL = Duration.ofMinutes(1);
    /**
     * Expiries are rounded up to this step: a clip's links stay the same for a while, so that a
     * browser's cache (and a page that asks again every few seconds) finds them again.
     */
    public static final long EXPIRY_STEP_SECONDS = 600;

    private final ObjectStore store;
    private final SecretKeySpec key;
    private final Clock clock;
    private final HttpClient client;

    public MediaRoute(Vertx vertx, ObjectStore store, String secret, Clock clock) {
        this.store = store;
        // Pieces of 64 KiB rather than 8 KiB: an eighth of the messages per MiB relayed.
        this.client = vertx.createHttpClient(new HttpClientOptions().setMaxChunkSize(64 * 1024),
                new PoolOptions().setHttp1MaxSize(32));
        // A key of its own, derived from the token secret: a media signature is never a token's.
        this.key = new SecretKeySpec(hmac(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"),
                "convoy media links"), "HmacSHA256");
        this.clock = clock;
    }

    @Override
    public String link(String objectKey, Duration ttl, String downloadName) {
        long expires = Math.floorDiv(clock.instant().plus(ttl).getEpochSecond() + EXPIRY_STEP_SECONDS - 1, EXPIRY_STEP_SECONDS)
                * EXPIRY_STEP_SECONDS;
        String name = downloadName == null ? "" : downloadName;
        StringBuilder url = new StringBuilder(PREFIX).append(encodeKey(objectKey)).append("?e=").append(expires);
        if (!name.isEmpty()) {
            url.append("&n=").append(URLEncoder.encode(name, StandardCharsets.UTF_8));
        }
        return url.append("&s=").append(signature(objectKey, expires, name)).toString();
    }

    public void mount(Router router) {
        router.get(PREFIX + "*").handler(this::serve);
        router.head(PREFIX + "*").handler(this::serve);
    }

    private void serve(RoutingContext rc) {
        String objectKey;
        try {
            objectKey = URLDecoder.decode(rc.request().path().substring(PREFIX.length()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            objectKey = null;
        }
        String name = rc.request().getParam("n", "");
        long expires;
        try {
            expires = Long.parseLong(rc.request().getParam("e", ""));
        } catch (NumberFormatException e) {
            expires = -1;
        }
        String given = rc.request().getParam("s", "");
        if (objectKey == null || expires < 0 || !MessageDigest.isEqual(given.getBytes(StandardCharsets.US_ASCII),
                signature(objectKey, expires, name).getBytes(StandardCharsets.US_ASCII))) {
            ApiErrors.send(rc, 403, "media_link_invalid", "This media link is not one Convoy gave out (or was changed);"
                    + " ask the API for the clip again to get its links.");
            return;
        }
        if (clock.instant().getEpochSecond() > expires) {
            ApiErrors.send(rc, 403, "media_link_expired", "This media link has expired; ask the API for the clip again to get"
                    + " fresh links.");
            return;
        }
        // A presigned URL is signed for one method: a HEAD is asked of the store as a GET whose body is not read.
        RequestOptions inner = new RequestOptions().setMethod(HttpMethod.GET).setConnectTimeout(5_000).setIdleTimeout(60_000)
                .setAbsoluteURI(store.presignGet(objectKey, INNER_TTL, name.isEmpty() ? null : name));
        copy(PASSED_ON, rc.request().headers(), inner::putHeader);
        long lasts = expires - clock.instant().getEpochSecond();
        client.request(inner)
                .compose(req -> req.send())
                .onFailure(err -> {
                    LOG.warn("event=media_store_failed cause=\"{}\"", err.toString());
                    store.countPresignedGet(0);
                    unavailable(rc);
                })
                .onSuccess(res -> relay(rc, res, lasts));
    }

    private static void unavailable(RoutingContext rc) {
        rc.response().putHeader("Retry-After", "5");
        ApiErrors.send(rc, 503, "store_unavailable", "The object store did not answer; retry shortly.");
    }

    private void relay(RoutingContext rc, HttpClientResponse res, long lasts) {
        int status = res.statusCode();
        // Counted with the store's other requests, which /ops and the dashboard read.
        store.countPresignedGet(status);
        // The store's own answers to a failure are dropped before any of its headers reach the client.
        if (status == 404 || status == 403) {
            res.request().reset();
            // The clip was deleted or expired since the link was given out: the store's XML says nothing useful.
            ApiErrors.send(rc, 404, "media_not_found", "This clip's file is gone (the clip was deleted or expired).");
            return;
        }
        if (status >= 500) {
            res.request().reset();
            unavailable(rc);
            return;
        }
        HttpServerResponse out = rc.response().setStatusCode(status);
        copy(PASSED_BACK, res.headers(), out::putHeader);
        if (res.getHeader(HttpHeaders.CONTENT_LENGTH) == null) {
            out.setChunked(true);
        }
        // Objects never change under a key: a browser may keep them while the link lasts.
        out.putHeader(HttpHeaders.CACHE_CONTROL, "private, max-age=" + Math.max(0, lasts));
        out.putHeader("X-Content-Type-Options", "nosniff");
        if (rc.request().method().equals(HttpMethod.HEAD)) {
            out.end();
            res.request().reset();
            return;
        }
        // A player that seeks drops its request: the store's answer stops with it.
        out.closeHandler(v -> res.request().reset());
        res.pipeTo(out).onFailure(err -> LOG.debug("event=media_relay_cut cause=\"{}\"", err.toString()));
    }

    /** Copies the headers {@code names} that {@code from} has. */
    private static void copy(List<CharSequence> names, MultiMap from, BiConsumer<CharSequence, String> to) {
        for (CharSequence name : names) {
            String value = from.get(name);
            if (value != null) {
                to.accept(name, value);
            }
        }
    }

    /** Keeps the key's slashes (it names the clip's folder) and escapes everything else that a path may not hold. */
    private static String encodeKey(String objectKey) {
        StringBuilder out = new StringBuilder();
        for (String part : objectKey.split("/", -1)) {
            if (!out.isEmpty()) {
                out.append('/');
            }
            out.append(URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return out.toString();
    }

    private String signature(String objectKey, long expires, String name) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(key, objectKey + '\n' + expires + '\n' + name));
    }

    private static byte[] hmac(SecretKeySpec key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
