package dev.convoy.ingest;

import dev.convoy.ingest.auth.Accounts;
import dev.convoy.ingest.auth.AuthApi;
import dev.convoy.ingest.auth.ClientAddress;
import dev.convoy.ingest.auth.DeviceRegistry;
import dev.convoy.ingest.auth.DeviceTokens;
import dev.convoy.ingest.auth.LogSmsSender;
import dev.convoy.ingest.auth.Operators;
import dev.convoy.ingest.auth.PhoneNumbers;
import dev.convoy.ingest.auth.Principal;
import dev.convoy.ingest.auth.Revocations;
import dev.convoy.ingest.auth.SignInCodes;
import dev.convoy.ingest.auth.SigningSecret;
import dev.convoy.ingest.auth.SmsSender;
import dev.convoy.ingest.auth.SnsSmsSender;
import dev.convoy.ingest.auth.TextBudget;
import dev.convoy.ingest.catalog.ClipCatalog;
import dev.convoy.ingest.catalog.ClipsApi;
import dev.convoy.ingest.catalog.RetentionSweeper;
import dev.convoy.ingest.clip.ClipKind;
import dev.convoy.ingest.cluster.ClusterClips;
import dev.convoy.ingest.cluster.ClusterOps;
import dev.convoy.ingest.cluster.ClusterSignIn;
import dev.convoy.ingest.cluster.Forwarding;
import dev.convoy.ingest.cluster.Handoff;
import dev.convoy.ingest.ops.Backpressure;
import dev.convoy.ingest.ops.DiskSpace;
import dev.convoy.ingest.ops.OpsRoutes;
import dev.convoy.ingest.ops.OpsStats;
import dev.convoy.ingest.ops.OwnerOnly;
import dev.convoy.ingest.ops.PeriodicJobs;
import dev.convoy.ingest.ops.Readiness;
import dev.convoy.ingest.pipeline.ClipPipeline;
import dev.convoy.ingest.pipeline.ClipProcessor;
import dev.convoy.ingest.storage.ClipCommitter;
import dev.convoy.ingest.storage.EmbeddedS3;
import dev.convoy.ingest.storage.ObjectStore;
import dev.convoy.ingest.transcode.ProcessTranscodePool;
import dev.convoy.ingest.transcode.TranscodePool;
import dev.convoy.ingest.transcode.TranscodeQueue;
import dev.convoy.ingest.tus.BodyInflow;
import dev.convoy.ingest.tus.TusEndpoint;
import dev.convoy.ingest.upload.ClipUploads;
import dev.convoy.ingest.upload.SpoolStore;
import dev.convoy.ingest.upload.UploadLimits;
import dev.convoy.ingest.web.MediaRoute;
import dev.convoy.ingest.web.StrictHttp1;
import dev.convoy.ingest.web.WebPages;
import dev.convoy.transcoder.RenditionSpec;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Convoy process: wires the stages of a clip's path together and serves HTTP.
 * Start it with {@link #start(ConvoyConfig)}; everything it opened is closed by {@link #close()}.
 */
public final class ConvoyServer {

    private static final Logger LOG = LoggerFactory.getLogger(ConvoyServer.class);
    /** Free space on the spool's disk is read this often (admission, readiness and a gauge use it). */
    private static final Duration SPOOL_DISK_READ = Duration.ofSeconds(2);
    /** Device revocations written by this node's CLI ({@code convoy revoke}) are read back this often. */
    private static final Duration REVOCATIONS_RELOAD = Duration.ofSeconds(2);
    /** Revocations made on other nodes (in object storage) reach this one within this long. */
    private static final Duration REVOCATIONS_REFRESH = Duration.ofSeconds(5);
    /** Expired sign-in codes and rate-limit windows are dropped this often. */
    private static final Duration SIGN_IN_CODES_PRUNE = Duration.ofMinutes(1);
    /** Readiness reports the object store down within this long of it going away. */
    private static final Duration STORE_PING = Duration.ofSeconds(5);
    /** The first retention sweep runs soon after start, so clips that expired while stopped go at once. */
    private static final Duration RETENTION_FIRST_SWEEP = Duration.ofSeconds(1);
    /** Parked uploads nobody adopted are looked for this often (they go after the upload expiry). */
    private static final Duration PARKED_SWEEP = Duration.ofMinutes(5);
    /** Complete clips a stopping node handed off (its backlog) are looked for this often. */
    private static final Duration HANDED_OFF_LOOK = Duration.ofSeconds(10);
    /** The tus headers, and Convoy's own header on a reclaimed upload. */
    private static final Set<String> CORS_EXPOSED_HEADERS = Stream.concat(TusEndpoint.RESPONSE_HEADERS.stream(),
            Stream.of("Convoy-Clip-Id")).collect(Collectors.toUnmodifiableSet());

    /**
     * What an embedding program (or a test) may put in place of the configured parts: the SMS
     * sender, and the clock that sign-in codes and retention go by. Nulls keep the defaults.
     */
    public record Parts(SmsSender sms, Clock clock) {
        public static Parts configured() {
            return new Parts(null, null);
        }
    }

    private final ConvoyConfig config;
    private final Parts parts;
    private Vertx vertx;
    private EmbeddedS3 embeddedS3;
    private ObjectStore objectStore;
    private TranscodePool pool;
    private PeriodicJobs jobs;
    private SnsSmsSender sns;
    private int port;
    /** Set once SIGTERM (or {@link #drain}) asks this node to stop: readiness goes false, new uploads are refused. */
    private final AtomicBoolean draining = new AtomicBoolean();
    private ClipUploads clipUploads;
    private Backpressure backpressure;
    private TusEndpoint tusEndpoint;
    private Handoff handoff;
    /** Requests for uploads held by other nodes go there; null for a single node. */
    private Forwarding forwarding;
    /** How this node talks to its peers (forwarded uploads, the clip API's questions). */
    private HttpClientAgent peerClient;
    /** The management port once bound; the public port when they are one. */
    private int managementPort;

    private ConvoyServer(ConvoyConfig config, Parts parts) {
        this.config = config;
        this.parts = parts;
    }

    public static Future<ConvoyServer> start(ConvoyConfig config) {
        return start(config, Parts.configured());
    }

    public static Future<ConvoyServer> start(ConvoyConfig config, Parts parts) {
        ConvoyServer server = new ConvoyServer(config, parts);
        try {
            return server.boot().map(server).recover(err -> {
                // Not waited for: closing Vert.x from its own event loop would never report back, and the start would hang.
                server.close();
                return Future.failedFuture(err);
            });
        } catch (Exception | LinkageError e) {
            server.close();
            return Future.failedFuture(e);
        }
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        String host = config.host().equals("0.0.0.0") ? "localhost" : config.host();
        return "http://" + host + ":" + port;
    }

    /** Where {@code /metrics} and the health probes answer. */
    public String managementUrl() {
        if (config.managementOnPublicPort()) {
            return baseUrl();
        }
        String host = config.managementHost().equals("0.0.0.0") ? "localhost" : config.managementHost();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + managementPort;
    }

    public Vertx vertx() {
        return vertx;
    }

    /** The embedded object store, or null when an external one is configured. */
    public EmbeddedS3 embeddedS3() {
        return embeddedS3;
    }

    private Future<Void> boot() throws Exception {
        Path dataDir = OwnerOnly.directory(config.dataDir());
        if (System.getProperty("org.bytedeco.javacpp.cachedir") == null) {
            // FFmpeg natives unpack under the data dir, so a run is self-contained.
            System.setProperty("org.bytedeco.javacpp.cachedir", dataDir.resolve("cache/javacpp").toString());
        }
        PrometheusMeterRegistry registry = registry();
        vertx = vertx(registry);
        jobs = new PeriodicJobs(vertx);
        objectStore = objectStore(dataDir, registry);

        Revocations revocations = new Revocations(dataDir);
        revocations.reload();
        String secret = SigningSecret.loadOrCreate(dataDir, config.jwtSecret());
        DeviceTokens tokens = new DeviceTokens(vertx, secret, revocations);
        Clock clock = parts.clock() != null ? parts.clock() : Clock.systemUTC();
        // The embedded store's own URLs name a loopback port: its media are served through this server.
        MediaRoute media = embeddedS3 == null ? null : new MediaRoute(vertx, objectStore, secret, Clock.systemUTC());
        ClipCatalog catalog = new ClipCatalog(objectStore, media != null ? media : objectStore::presignGet, config.presignTtl(),
                config.retention(), clock).withGauges(registry);
        OpsStats opsStats = new OpsStats(registry, config.peers().self(), Clock.systemUTC());
        ClipCommitter committer = new ClipCommitter(objectStore, config.retention(), registry);
        DeviceRegistry devices = new DeviceRegistry(objectStore, tokens, revocations, config.maxDevicesPerOwner());
        SignInCodes codes = new SignInCodes(clock, SignInCodes.Limits.defaults());
        TextBudget texts = new TextBudget(clock, config.smsBudget(), registry);
        SmsSender sms = smsSender();
        LOG.info("event=sms_sender sender=\"{}\"", sms.describe());
        Accounts accounts = new Accounts(objectStore);
        Operators operators = new Operators(config.operatorPhones(), accounts);
        AuthApi auth = new AuthApi(new PhoneNumbers(config.phoneRegion()), new AuthApi.Texting(codes, texts, sms),
                accounts, tokens, devices, ClientAddress.trusting(config.trustedProxies())).withOperators(operators);
        Duration arrivingWait = config.transcodeArrivingWait();
        pool = new ProcessTranscodePool(vertx, ProcessTranscodePool.Options.defaults(config.transcodeWorkers())
                .withStallAfter(arrivingWait.isZero() ? Duration.ofSeconds(10) : arrivingWait), registry);
        TranscodeQueue queue = new TranscodeQueue(pool, config.transcodeQueueLimit(), registry);
        ClipProcessor processor = new ClipProcessor(vertx, queue, committer, dataDir.resolve("work"),
                RenditionSpec.defaults().withThreads(config.transcodeThreads()).withPreviews(config.previews()),
                // A node that transcodes nothing (0 workers) starts no pass early either.
                !arrivingWait.isZero() && config.transcodeWorkers() > 0, registry);
        ClipPipeline pipeline = new ClipPipeline(processor, catalog, opsStats::failed);

        Path spoolDir = dataDir.resolve("uploads");
        Files.createDirectories(spoolDir);
        DiskSpace spoolDisk = DiskSpace.of(spoolDir);
        Gauge.builder("convoy.spool.free", spoolDisk::freeBytes).baseUnit("bytes")
                .description("Free bytes on the spool's disk").register(registry);
        Backpressure admission = new Backpressure(queue::isFull, draining::get, spoolDisk, config.minFreeSpoolBytes(),
                config.spoolFloorBytes());
        backpressure = admission;
        Gauge.builder("convoy.draining", draining, d -> d.get() ? 1 : 0)
                .description("1 while this node drains: not ready, refusing new uploads, finishing what it has").register(registry);
        AtomicBoolean storeUp = new AtomicBoolean(false);
        Readiness readiness = new Readiness();
        readiness.register("accepting", () -> !draining.get());
        readiness.register("objectStore", storeUp::get);
        readiness.register("transcodeQueue", () -> !queue.isFull());
        readiness.register("spoolDisk", admission::spoolHasRoom);
        UploadLimits limits = new UploadLimits(config.maxUploadSize(), config.maxMetadataBytes(),
                config.maxUploadsPerDevice(), config.maxOwnerBytesInFlight(), config.uploadExpiry());

        port = config.port() == 0 ? freePort() : config.port();
        return objectStore.ensureBucket(vertx.getOrCreateContext())
                .onSuccess(v -> storeUp.set(true))
                .compose(v -> devices.refreshRevocations(vertx.getOrCreateContext()))
                .compose(v -> operators.resolve(vertx.getOrCreateContext()))
                .compose(v -> SpoolStore.open(vertx, spoolDir, config.idleTimeout().toMillis(), config.minUploadRate()))
                .compose(spool -> {
                    ClipUploads uploads = ClipUploads.open(spool, tokens, admission, limits, pipeline, config.peers().self(),
                            registry);
                    TusEndpoint tus = uploads.endpoint();
                    clipUploads = uploads;
                    tusEndpoint = tus;
                    handoff = new Handoff(vertx, objectStore, spool, tus.uploads(), config.peers().self(), draining::get,
                            config.uploadExpiry(), registry);
                    if (config.peers().clustered()) {
                        peerClient = Forwarding.client(vertx, config.idleTimeout());
                        auth.withOtherNodes(new ClusterSignIn(vertx, peerClient, config.peers()));
                        forwarding = new Forwarding(peerClient, config.peers(), handoff, tus.uploads()::isKept,
                                authorization -> tokens.authenticate(authorization).map(Principal::owner), registry);
                        jobs.every("parked_uploads", PARKED_SWEEP, () -> handoff.sweep(vertx.getOrCreateContext()));
                        jobs.every("handed_off_clips", HANDED_OFF_LOOK, () -> handoff.adoptHandedOff(vertx.getOrCreateContext()));
                    }
                    RetentionSweeper sweeper = new RetentionSweeper(objectStore, catalog, uploads::remove, clock, registry);
                    ClipsApi api = new ClipsApi(catalog, tokens, uploads::remove, clock, forwarding == null
                            ? null : new ClusterClips(vertx, peerClient, config.peers(), handoff, catalog));
                    OpsRoutes ops = new OpsRoutes(registry, readiness);
                    WebPages pages = new WebPages(tokens, operators, opsStats, forwarding == null ? null
                            : new ClusterOps(vertx, peerClient, config.peers()), mediaOrigin(media));
                    jobs.every("ops_stats", OpsStats.EVERY, () -> {
                        opsStats.sample();
                        return Future.succeededFuture();
                    });

                    jobs.every("upload_expiry", uploadExpirySweep(), () -> tus.uploads().sweepExpired());
                    jobs.every("settled_uploads", uploadExpirySweep(), uploads::forgetSettled);
                    jobs.every("spool_disk", SPOOL_DISK_READ, () -> spoolDisk.refresh(vertx));
                    jobs.every("revocations_reload", REVOCATIONS_RELOAD, () -> vertx.executeBlocking(() -> {
                        revocations.reload();
                        return null;
                    }, false));
                    jobs.every("revocations_refresh", REVOCATIONS_REFRESH,
                            () -> devices.refreshRevocations(vertx.getOrCreateContext()));
                    jobs.every("sign_in_codes_prune", SIGN_IN_CODES_PRUNE, () -> {
                        codes.prune();
                        texts.prune();
                        return Future.succeededFuture();
                    });
                    jobs.every("store_ping", STORE_PING, () -> objectStore.ping(vertx.getOrCreateContext())
                            .andThen(ar -> storeUp.set(ar.succeeded())));
                    HttpServerOptions options = httpOptions();
                    return retention(committer, sweeper)
                            .compose(r -> vertx.deployVerticle(() -> new HttpVerticle(options, connection -> {
                                StrictHttp1.install(connection, options);
                                tus.onConnection(connection);
                            }, router -> {
                                router.route("/files*").handler(cors(config.corsOrigins()));
                                if (forwarding != null) {
                                    forwarding.mount(router);
                                }
                                tus.mount(router);
                                auth.mount(router);
                                api.mount(router);
                                ops.mountPublic(router);
                                pages.mount(router);
                                if (media != null) {
                                    media.mount(router);
                                }
                                if (config.managementOnPublicPort()) {
                                    ops.mountManagement(router);
                                }
                            }), new DeploymentOptions().setInstances(Math.max(1, Runtime.getRuntime().availableProcessors()))))
                            .compose(d -> management(ops))
                            .onSuccess(d -> uploads.resume())
                            .compose(d -> tus.uploads().resumeConcatenations());
                })
                .mapEmpty();
    }

    private static PrometheusMeterRegistry registry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        return registry;
    }

    private Vertx vertx(PrometheusMeterRegistry registry) {
        return Vertx.builder()
                .with(new VertxOptions()
                        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true))
                        .setMaxEventLoopExecuteTime(config.eventLoopMaxMs())
                        .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
                        .setBlockedThreadCheckInterval(Math.max(10, Math.min(1000, config.eventLoopMaxMs() / 2)))
                        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
    }

    private ObjectStore objectStore(Path dataDir, PrometheusMeterRegistry registry) throws Exception {
        if (config.embeddedS3()) {
            embeddedS3 = EmbeddedS3.start(dataDir.resolve("objects"));
            return new ObjectStore(ObjectStore.Endpoint.embedded(embeddedS3, config.s3Bucket(), config.s3PartSize(),
                    config.s3UploadConcurrency()), registry);
        }
        return new ObjectStore(ObjectStore.Endpoint.external(URI.create(config.s3Endpoint()), config.s3Region(),
                config.s3Bucket(), config.s3PathStyle(), config.s3ChecksumWhenRequired(), config.s3PartSize(),
                config.s3UploadConcurrency()), registry);
    }

    /** Where the pages' pictures and video come from: this server, or the object store's presigned URLs. */
    private String mediaOrigin(MediaRoute media) {
        if (media != null) {
            return null;
        }
        URI presigned = URI.create(objectStore.presignGet("origin", Duration.ofMinutes(1), null));
        return presigned.getScheme() + "://" + presigned.getRawAuthority();
    }

    private SmsSender smsSender() {
        if (parts.sms() != null) {
            return parts.sms();
        }
        if (config.smsSender().equals("sns")) {
            sns = new SnsSmsSender(vertx.getOrCreateContext(), config.smsRegion(), "Convoy");
            return sns;
        }
        return new LogSmsSender();
    }

    private HttpServerOptions httpOptions() {
        return new HttpServerOptions()
                .setHost(config.host())
                .setPort(port)
                // The spool answers a stalled body first (with a 5xx clients retry); this only reaps dead sockets.
                .setIdleTimeout((int) config.idleTimeout().toSeconds() + 30)
                .setMaxHeaderSize(config.maxHeaderBytes())
                // Body pieces of up to 16 KiB rather than 8 KiB: half the messages per MiB. A read is at most 16 KiB
                // (BodyInflow), so an upload whose socket is stopped holds its batches and at most 16 KiB more.
                .setMaxChunkSize(BodyInflow.MAX_READ)
                // HTTP/1.1 only on this cleartext port, so each connection's request decoder is in place before its
                // first byte (StrictHttp1); HTTP/2 is for the TLS terminator in front, which speaks HTTP/1.1 to us.
                .setHttp2ClearTextEnabled(false)
                .setHandle100ContinueAutomatically(true);
    }

    /**
     * Serves {@code /metrics} and the health probes on their own port (loopback unless set
     * otherwise), so that the public port does not tell anyone the service's numbers.
     */
    private Future<Void> management(OpsRoutes ops) {
        if (config.managementOnPublicPort()) {
            managementPort = port;
            return Future.succeededFuture();
        }
        Router router = Router.router(vertx);
        ops.mountManagement(router);
        // The same limits and framing rules as the public port: in Kubernetes any pod may reach this one.
        HttpServerOptions options = httpOptions().setHost(config.managementHost()).setPort(config.managementPort());
        return vertx.createHttpServer(options)
                .connectionHandler(connection -> StrictHttp1.install(connection, options))
                .invalidRequestHandler(StrictHttp1::invalidRequest)
                .requestHandler(router)
                .listen()
                .onSuccess(server -> managementPort = server.actualPort())
                .mapEmpty();
    }

    /** Open uploads are swept a few times per expiry period, between once a second and once a minute. */
    private Duration uploadExpirySweep() {
        long quarter = config.uploadExpiry().toMillis() / 4;
        return Duration.ofMillis(Math.max(1_000, Math.min(60_000, quarter)));
    }

    /**
     * Expiring clips: lifecycle rules in the bucket where the store takes them (objects are then
     * tagged), otherwise a periodic sweep.
     */
    private Future<Void> retention(ClipCommitter committer, RetentionSweeper sweeper) {
        if (!config.retention().expiresAny()) {
            return Future.succeededFuture();
        }
        List<Long> days = Arrays.stream(ClipKind.values()).map(k -> config.retention().days(k))
                .filter(d -> d > 0).toList();
        // The embedded S3Proxy has no lifecycle rules (asked, it logs an ERROR an operator would chase): sweep there.
        Future<Boolean> rules = embeddedS3 != null ? Future.succeededFuture(false)
                : objectStore.applyExpiryRules(vertx.getOrCreateContext(), days).recover(err -> {
                    LOG.warn("event=lifecycle_rules_failed cause=\"{}\"", err.toString());
                    return Future.succeededFuture(false);
                });
        return rules
                .map(applied -> {
                    committer.useLifecycleRules(applied);
                    LOG.info("event=retention kinds=\"{}\" by={}", config.retention(), applied ? "lifecycle_rules" : "sweeper");
                    if (!applied) {
                        jobs.every("retention_sweep", RETENTION_FIRST_SWEEP, config.retentionSweepInterval(),
                                () -> sweeper.sweep(vertx.getOrCreateContext()));
                    }
                    return null;
                });
    }

    /** Drains this node before it stops (SIGTERM: a rolling update, a scale-down); see {@link NodeDrain}. */
    public Future<Void> drain(Duration grace) {
        draining.set(true);
        if (vertx == null || tusEndpoint == null) {
            return Future.succeededFuture();
        }
        return new NodeDrain(vertx, tusEndpoint, clipUploads, backpressure, config.peers().clustered() ? handoff : null).run(grace);
    }

    public Future<Void> close() {
        if (jobs != null) {
            jobs.close();
        }
        if (peerClient != null) {
            peerClient.close();
        }
        if (pool != null) {
            // Workers are told to quit while Vert.x still runs to hear them go.
            pool.close();
        }
        Future<Void> closing = vertx == null ? Future.succeededFuture() : vertx.close();
        return closing.andThen(ar -> {
            if (sns != null) {
                sns.close();
            }
            if (objectStore != null) {
                objectStore.close();
            }
            if (embeddedS3 != null) {
                try {
                    embeddedS3.close();
                } catch (Exception e) {
                    LOG.warn("event=embedded_s3_stop_failed", e);
                }
            }
        });
    }

    /** Lets browser apps (tus-js-client, Uppy) upload from other origins and read the tus headers. */
    private static CorsHandler cors(String origins) {
        CorsHandler cors = CorsHandler.create();
        for (String origin : origins.split(",")) {
            if (!origin.isBlank()) {
                cors.addOrigin(origin.trim());
            }
        }
        return cors.allowedMethods(Set.of(HttpMethod.POST, HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PATCH,
                        HttpMethod.DELETE, HttpMethod.OPTIONS))
                .allowedHeaders(TusEndpoint.REQUEST_HEADERS)
                .exposedHeaders(CORS_EXPOSED_HEADERS)
                .maxAgeSeconds(86400);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** One HTTP server instance per event loop, all on the same port. */
    private static final class HttpVerticle extends VerticleBase {
        private final HttpServerOptions options;
        private final Consumer<HttpConnection> connections;
        private final Consumer<Router> routes;

        HttpVerticle(HttpServerOptions options, Consumer<HttpConnection> connections, Consumer<Router> routes) {
            this.options = options;
            this.connections = connections;
            this.routes = routes;
        }

        @Override
        public Future<?> start() {
            Router router = Router.router(vertx);
            routes.accept(router);
            return vertx.createHttpServer(options).connectionHandler(connections::accept)
                    .invalidRequestHandler(StrictHttp1::invalidRequest).requestHandler(router).listen();
        }
    }
}
