package dev.convoy.ingest;

import dev.convoy.ingest.auth.Accounts;
import dev.convoy.ingest.auth.AuthApi;
import dev.convoy.ingest.auth.DeviceRegistry;
import dev.convoy.ingest.auth.DeviceTokens;
import dev.convoy.ingest.auth.LogSmsSender;
import dev.convoy.ingest.auth.PhoneNumbers;
import dev.convoy.ingest.auth.SignInCodes;
import dev.convoy.ingest.auth.SmsSender;
import dev.convoy.ingest.auth.SnsSmsSender;
import dev.convoy.ingest.catalog.RetentionSweeper;
import dev.convoy.ingest.clip.ClipKind;
import dev.convoy.ingest.auth.Revocations;
import dev.convoy.ingest.auth.SigningSecret;
import dev.convoy.ingest.catalog.ClipCatalog;
import dev.convoy.ingest.catalog.ClipsApi;
import dev.convoy.ingest.clip.ClipStatus;
import dev.convoy.ingest.ops.OpsRoutes;
import dev.convoy.ingest.ops.Readiness;
import dev.convoy.ingest.queue.ClipProcessor;
import dev.convoy.ingest.queue.ProcessTranscodePool;
import dev.convoy.ingest.queue.TranscodePool;
import dev.convoy.ingest.queue.TranscodeQueue;
import dev.convoy.ingest.storage.ClipCommitter;
import dev.convoy.ingest.storage.EmbeddedS3;
import dev.convoy.ingest.storage.ObjectStore;
import dev.convoy.ingest.upload.Admission;
import dev.convoy.ingest.upload.SpoolStore;
import dev.convoy.ingest.upload.UploadLimits;
import dev.convoy.ingest.upload.TusHandler;
import dev.convoy.ingest.upload.UploadListener;
import dev.convoy.ingest.upload.UploadState;
import dev.convoy.transcoder.RenditionSpec;
import dev.convoy.ingest.ops.DiskSpace;
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
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.List;
import java.util.Arrays;

/**
 * One Convoy process: wires the stages of a clip's path together and serves HTTP.
 * Start it with {@link #start(ConvoyConfig)}; everything it opened is closed by {@link #close()}.
 */
public final class ConvoyServer {

    private static final Logger LOG = LoggerFactory.getLogger(ConvoyServer.class);

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
    private SnsSmsSender sns;
    private int port;

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
            return server.boot().map(server).recover(err -> server.close().transform(ar -> Future.failedFuture(err)));
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

    public Vertx vertx() {
        return vertx;
    }

    /** The embedded object store, or null when an external one is configured. */
    public EmbeddedS3 embeddedS3() {
        return embeddedS3;
    }

    private Future<Void> boot() throws Exception {
        Path dataDir = config.dataDir();
        Files.createDirectories(dataDir);
        if (System.getProperty("org.bytedeco.javacpp.cachedir") == null) {
            // FFmpeg natives unpack under the data dir, so a run is self-contained.
            System.setProperty("org.bytedeco.javacpp.cachedir", dataDir.resolve("cache/javacpp").toString());
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);

        vertx = Vertx.builder()
                .with(new VertxOptions()
                        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true))
                        .setMaxEventLoopExecuteTime(config.eventLoopMaxMs())
                        .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
                        .setBlockedThreadCheckInterval(Math.max(10, Math.min(1000, config.eventLoopMaxMs() / 2)))
                        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();

        if (config.embeddedS3()) {
            embeddedS3 = EmbeddedS3.start(dataDir.resolve("objects"));
            objectStore = new ObjectStore(ObjectStore.Endpoint.embedded(embeddedS3, config.s3Bucket(), config.s3PartSize(),
                    config.s3UploadConcurrency()), registry);
        } else {
            objectStore = new ObjectStore(ObjectStore.Endpoint.external(URI.create(config.s3Endpoint()), config.s3Region(),
                    config.s3Bucket(), config.s3PathStyle(), config.s3ChecksumWhenRequired(), config.s3PartSize(),
                    config.s3UploadConcurrency()), registry);
        }
        Revocations revocations = new Revocations(dataDir);
        revocations.reload();
        DeviceTokens tokens = new DeviceTokens(vertx, SigningSecret.loadOrCreate(dataDir, config.jwtSecret()), revocations);
        Clock clock = parts.clock() != null ? parts.clock() : Clock.systemUTC();
        ClipCatalog catalog = new ClipCatalog(objectStore, config.presignTtl(), config.retention(), clock);
        ClipCommitter committer = new ClipCommitter(objectStore, config.retention(), registry);
        DeviceRegistry devices = new DeviceRegistry(objectStore, tokens, revocations);
        SignInCodes codes = new SignInCodes(clock, SignInCodes.Limits.defaults());
        SmsSender sms = parts.sms();
        if (sms == null && config.smsSender().equals("sns")) {
            sns = new SnsSmsSender(vertx.getOrCreateContext(), config.smsRegion(), "Convoy");
            sms = sns;
        } else if (sms == null) {
            sms = new LogSmsSender();
        }
        LOG.info("event=sms_sender sender=\"{}\"", sms.describe());
        AuthApi auth = new AuthApi(new PhoneNumbers(config.phoneRegion()), codes, sms, new Accounts(objectStore), tokens, devices);
        pool = new ProcessTranscodePool(vertx, ProcessTranscodePool.Options.defaults(config.transcodeWorkers()), registry);
        TranscodeQueue queue = new TranscodeQueue(pool, config.transcodeQueueLimit(), registry);
        ClipProcessor processor = new ClipProcessor(vertx, queue, committer,
                dataDir.resolve("work"), RenditionSpec.defaults().withThreads(config.transcodeThreads())
                .withPreviews(config.previews()), registry);

        AtomicBoolean storeUp = new AtomicBoolean(false);
        Readiness readiness = new Readiness();
        readiness.register("objectStore", storeUp::get);
        readiness.register("transcodeQueue", () -> !queue.isFull());
        Path spoolDir = dataDir.resolve("uploads");
        Files.createDirectories(spoolDir);
        DiskSpace spoolDisk = DiskSpace.watch(vertx, spoolDir, 2_000);
        readiness.register("spoolDisk", () -> spoolDisk.freeBytes() >= config.minFreeSpoolBytes());
        Gauge.builder("convoy.spool.free", spoolDisk::freeBytes).baseUnit("bytes")
                .description("Free bytes on the spool's disk").register(registry);
        Admission admission = new Admission() {
            @Override
            public Optional<String> refusal() {
                if (queue.isFull()) {
                    return Optional.of("transcode backlog at its limit");
                }
                if (spoolDisk.freeBytes() < config.minFreeSpoolBytes()) {
                    return Optional.of("spool disk nearly full");
                }
                return Optional.empty();
            }

            @Override
            public int retryAfterSeconds() {
                return 30;
            }
        };
        UploadLimits limits = new UploadLimits(config.maxUploadSize(), config.maxMetadataBytes(),
                config.maxUploadsPerDevice(), config.uploadExpiry());

        port = config.port() == 0 ? freePort() : config.port();
        return objectStore.ensureBucket(vertx.getOrCreateContext())
                .onSuccess(v -> storeUp.set(true))
                .compose(v -> devices.refreshRevocations(vertx.getOrCreateContext()))
                .compose(v -> SpoolStore.open(vertx, spoolDir, config.idleTimeout().toMillis()))
                .compose(spool -> {
                    UploadListener listener = new PipelineListener(spool, processor, catalog);
                    TusHandler tus = new TusHandler(spool, tokens, listener, limits, admission, registry);
                    RetentionSweeper sweeper = new RetentionSweeper(objectStore, catalog, tus::removeForOwner, clock, registry);
                    long sweepEvery = Math.max(1_000, Math.min(60_000, config.uploadExpiry().toMillis() / 4));
                    vertx.setPeriodic(sweepEvery, id -> tus.sweepExpired());
                    vertx.setPeriodic(2_000, id -> vertx.executeBlocking(() -> {
                        revocations.reload();
                        return null;
                    }, false));
                    vertx.setPeriodic(5_000, id -> devices.refreshRevocations(vertx.getOrCreateContext())
                            .onFailure(err -> LOG.warn("event=revocations_refresh_failed cause=\"{}\"", err.toString())));
                    vertx.setPeriodic(60_000, id -> codes.prune());
                    ClipsApi api = new ClipsApi(catalog, tokens, tus::removeForOwner);
                    OpsRoutes ops = new OpsRoutes(registry, readiness);
                    vertx.setPeriodic(5_000, id -> objectStore.ping(vertx.getOrCreateContext())
                            .onComplete(ar -> storeUp.set(ar.succeeded())));
                    HttpServerOptions http = new HttpServerOptions()
                            .setHost(config.host())
                            .setPort(port)
                            // The spool answers a stalled body first (with a 5xx clients retry); this only reaps dead sockets.
                            .setIdleTimeout((int) config.idleTimeout().toSeconds() + 30)
                            .setMaxHeaderSize(config.maxHeaderBytes())
                            // Body pieces of up to 16 KiB rather than 8 KiB: half the messages per MiB. A paused request
                            // buffers up to 16 pieces, so with the spool's two 64 KiB batches an upload holds <= ~400 KiB.
                            .setMaxChunkSize(16 * 1024)
                            .setHandle100ContinueAutomatically(true);
                    int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
                    return retention(committer, sweeper).compose(r -> vertx.deployVerticle(() -> new HttpVerticle(http, tus::onConnection, router -> {
                                router.route("/files*").handler(cors(config.corsOrigins()));
                                tus.mount(router);
                                auth.mount(router);
                                api.mount(router);
                                ops.mount(router);
                            }), new DeploymentOptions().setInstances(instances)))
                            .onSuccess(d -> resume(spool, listener))
                            .compose(d -> tus.resumeConcatenations());
                })
                .mapEmpty();
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
        return objectStore.applyExpiryRules(vertx.getOrCreateContext(), days)
                .recover(err -> {
                    LOG.warn("event=lifecycle_rules_failed cause=\"{}\"", err.toString());
                    return Future.succeededFuture(false);
                })
                .map(applied -> {
                    committer.useLifecycleRules(applied);
                    LOG.info("event=retention kinds=\"{}\" by={}", config.retention(), applied ? "lifecycle_rules" : "sweeper");
                    if (!applied) {
                        vertx.setPeriodic(1_000, config.retentionSweepInterval().toMillis(),
                                id -> sweeper.sweep(vertx.getOrCreateContext()));
                    }
                    return null;
                });
    }

    /** Uploads that completed before a restart but were not committed go down the path again. */
    private static void resume(SpoolStore spool, UploadListener listener) {
        for (UploadState upload : spool.all()) {
            if (!upload.isClip()) {
                // Partial uploads are pieces of a later concatenation, never clips of their own.
                continue;
            }
            if (upload.status() == ClipStatus.PROCESSING) {
                LOG.info("event=commit_resumed upload={}", upload.id());
                listener.onCompleted(upload);
            } else {
                listener.onProgress(upload);
            }
        }
    }

    public Future<Void> close() {
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
                .allowedHeaders(TusHandler.REQUEST_HEADERS)
                .exposedHeaders(TusHandler.RESPONSE_HEADERS)
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
            return vertx.createHttpServer(options).connectionHandler(connections::accept).requestHandler(router).listen();
        }
    }

    /** Connects the upload stage to the rest of the path and to the catalog. */
    private static final class PipelineListener implements UploadListener {
        private final SpoolStore spool;
        private final ClipProcessor processor;
        private final ClipCatalog catalog;

        PipelineListener(SpoolStore spool, ClipProcessor processor, ClipCatalog catalog) {
            this.spool = spool;
            this.processor = processor;
            this.catalog = catalog;
        }

        @Override
        public void onProgress(UploadState upload) {
            catalog.track(upload.record());
        }

        @Override
        public void onCompleted(UploadState upload) {
            catalog.track(upload.record());
            processor.process(upload.completed(spool.spool(upload.id())))
                    .compose(outcome -> spool.save(upload.withStatus(outcome.status(), outcome.failureReason())))
                    // The spool goes only once the manifest is written.
                    .compose(done -> spool.deleteSpool(done.id()).map(done))
                    .onSuccess(done -> catalog.track(done.record()))
                    .onFailure(err -> LOG.error("event=clip_commit_failed upload={} cause=\"{}\"", upload.id(), err.toString(), err));
        }

        @Override
        public void onTerminated(UploadState upload) {
            catalog.forget(upload.id());
        }
    }
}
