package dev.convoy.ingest.tus;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The tus 1.0 endpoint at {@code /files/}: the core protocol and the creation,
 * creation-with-upload, creation-defer-length, termination, expiration, checksum,
 * checksum-trailer, concatenation and concatenation-unfinished extensions, one handler per
 * method. It speaks HTTP and tus only: bytes go to an {@link UploadStore} (whose abilities
 * decide the advertised extensions) through the {@link UploadService}, and the application's
 * rules come in through an {@link UploadPolicy}.
 */
public final class TusEndpoint {

    /** Headers browsers may send and read across origins (for the CORS handler in front). */
    public static final Set<String> REQUEST_HEADERS = Set.of("Authorization", "Content-Type", "Tus-Resumable",
            "Upload-Length", "Upload-Offset", "Upload-Metadata", "Upload-Defer-Length", "Upload-Concat",
            "Upload-Checksum", "X-HTTP-Method-Override", "X-Requested-With");
    public static final Set<String> RESPONSE_HEADERS = Set.of("Location", "Tus-Resumable", "Tus-Version",
            "Tus-Extension", "Tus-Max-Size", "Tus-Checksum-Algorithm", "Upload-Offset", "Upload-Length",
            "Upload-Metadata", "Upload-Defer-Length", "Upload-Concat", "Upload-Expires", "Retry-After");

    /**
     * Where a handler in front of the endpoint puts a {@link TusException} to refuse a request
     * with (an upload's node cannot be reached); the endpoint answers it as its own, once the
     * request is authenticated.
     */
    public static final String REFUSAL = "tus.refusal";

    /** One HTTP method's handling, once the request is authenticated; throws or fails with a {@link TusException}. */
    interface Method {
        Future<Void> handle(RoutingContext rc, Uploader who);
    }

    /**
     * The limits the endpoint enforces.
     *
     * @param maxSize          largest {@code Upload-Length} (advertised as {@code Tus-Max-Size})
     * @param maxMetadataBytes longest {@code Upload-Metadata} header
     * @param expiry           how long an open upload lives after its last write
     */
    public record Limits(long maxSize, int maxMetadataBytes, Duration expiry) {
    }

    private final UploadService uploads;
    private final UploadPolicy policy;
    private final TusMetrics metrics;
    private final TusResponses responses;
    private final Method creation;
    private final Method head;
    private final Method patch;
    private final Method termination;

    private TusEndpoint(UploadStore store, UploadPolicy policy, UploadEvents events, Limits limits,
                        MeterRegistry registry) {
        this.policy = policy;
        this.metrics = new TusMetrics(registry);
        this.uploads = new UploadService(store, policy, events, limits.maxSize(), limits.expiry(), metrics);
        this.responses = new TusResponses(uploads, metrics);
        Checksums checksums = new Checksums(uploads.capabilities().checksumAlgorithms());
        PatchHandler writer = new PatchHandler(uploads, policy, checksums, responses);
        this.creation = new CreationHandler(uploads, policy, limits.maxMetadataBytes(), checksums, writer, responses);
        this.head = new HeadHandler(uploads, responses);
        this.patch = writer;
        this.termination = new TerminationHandler(uploads);
    }

    public static TusEndpoint create(UploadStore store, UploadPolicy policy, UploadEvents events, Limits limits,
                                     MeterRegistry registry) {
        return new TusEndpoint(store, policy, events, limits, registry);
    }

    /** tus requests being served now. */
    public int requestsInFlight() {
        return metrics.active.get();
    }

    /** The service under this endpoint, for the application's own uses (deletion, expiry sweeps). */
    public UploadService uploads() {
        return uploads;
    }

    public void mount(Router router) {
        for (String path : List.of("/files", "/files/")) {
            router.options(path).handler(this::options);
            router.post(path).handler(rc -> timed(rc, "POST", creation));
        }
        // HttpURLConnection (and so the tus Java client) cannot send PATCH: it POSTs with an override.
        // An upload's URL may name the node that holds it before its id: /files/{node}/{id}.
        for (String path : List.of("/files/:id", "/files/:node/:id")) {
            router.post(path).handler(TusEndpoint::methodOverride);
            router.options(path).handler(this::options);
            router.head(path).handler(rc -> timed(rc, "HEAD", head));
            router.patch(path).handler(rc -> timed(rc, "PATCH", patch));
            router.delete(path).handler(rc -> timed(rc, "DELETE", termination));
        }
    }

    /** Keeps request trailers on a new connection, for checksum-trailer. */
    public void onConnection(HttpConnection connection) {
        RequestTrailers.capture(connection);
        BodyInflow.onConnection(connection);
    }

    private static void methodOverride(RoutingContext rc) {
        String override = rc.request().getHeader("X-HTTP-Method-Override");
        if (override == null) {
            rc.next();
            return;
        }
        switch (override.trim().toUpperCase(Locale.ROOT)) {
            case "PATCH" -> rc.reroute(HttpMethod.PATCH, rc.request().path());
            case "DELETE" -> rc.reroute(HttpMethod.DELETE, rc.request().path());
            case "HEAD" -> rc.reroute(HttpMethod.HEAD, rc.request().path());
            default -> rc.next();
        }
    }

    private void timed(RoutingContext rc, String method, Method handler) {
        HttpServerRequest req = rc.request();
        // Nothing reads the body until the upload is found and locked.
        BodyInflow.hold(rc);
        Timer.Sample sample = metrics.startRequest();
        rc.response().putHeader("Tus-Resumable", TusHeaders.TUS_VERSION);
        Future<Void> result;
        try {
            TusHeaders.requireVersion(req.getHeader("Tus-Resumable"));
            TusException refusal = rc.get(REFUSAL);
            result = policy.authenticate(req.getHeader(HttpHeaders.AUTHORIZATION))
                    .compose(who -> refusal != null ? Future.failedFuture(refusal) : handler.handle(rc, who));
        } catch (RuntimeException e) {
            result = Future.failedFuture(e);
        }
        result.onComplete(ar -> {
            if (ar.failed()) {
                responses.fail(rc, ar.cause());
            }
            metrics.endRequest(sample, method);
        });
    }

    private void options(RoutingContext rc) {
        Capabilities abilities = uploads.capabilities();
        HttpServerResponse res = rc.response()
                .putHeader("Tus-Resumable", TusHeaders.TUS_VERSION)
                .putHeader("Tus-Version", TusHeaders.TUS_VERSION)
                .putHeader("Tus-Extension", abilities.extensions())
                .putHeader("Tus-Max-Size", Long.toString(uploads.maxSize()));
        if (abilities.canVerifyChecksums()) {
            res.putHeader("Tus-Checksum-Algorithm", abilities.checksumAlgorithmHeader());
        }
        res.setStatusCode(204).end();
    }
}
