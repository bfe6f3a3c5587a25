package dev.convoy.ingest;

import dev.convoy.ingest.auth.DeviceTokens;
import dev.convoy.ingest.auth.SigningSecret;
import dev.convoy.ingest.storage.EmbeddedS3;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** A real Convoy service on a free port with the embedded S3 store, for tests. */
public final class TestServer implements AutoCloseable {

    private final ConvoyServer server;
    private final DeviceTokens tokens;
    private final RecordingSms sms;
    private final SettableClock clock;

    private TestServer(ConvoyServer server, DeviceTokens tokens, RecordingSms sms, SettableClock clock) {
        this.server = server;
        this.tokens = tokens;
        this.sms = sms;
        this.clock = clock;
    }

    public static TestServer start(Path dataDir, String... extraFlags) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--management-port", "0", "--host", "127.0.0.1", "--data-dir", dataDir.toString(),
                "--transcode-workers", "1", "--transcode-threads", "2",
                // The event loop must never block: the tests run with a tight limit and fail on any warning.
                "--event-loop-max-ms", "300"));
        args.addAll(List.of(extraFlags));
        ConvoyConfig config = ConvoyConfig.from(args, Map.of());
        BlockedThreadWatch.take();
        RecordingSms sms = new RecordingSms();
        SettableClock clock = new SettableClock();
        ConvoyServer server = await(ConvoyServer.start(config, new ConvoyServer.Parts(sms, clock)));
        return new TestServer(server, new DeviceTokens(server.vertx(), SigningSecret.loadOrCreate(dataDir, null)), sms, clock);
    }

    /** The texts the service sent. */
    RecordingSms sms() {
        return sms;
    }

    /** The clock sign-in codes and retention go by; tests move it on. */
    SettableClock clock() {
        return clock;
    }

    public String baseUrl() {
        return server.baseUrl();
    }

    /** Where {@code /metrics} and the health probes answer. */
    public String managementUrl() {
        return server.managementUrl();
    }

    public int port() {
        return server.port();
    }

    public String deviceToken(String owner, String device) {
        return tokens.issueDevice(owner, device);
    }

    public String ownerToken(String owner) {
        return tokens.issueOwner(owner);
    }

    /** Blocked-thread warnings Vert.x logged since the last call. */
    public static List<String> takeBlockedThreadWarnings() {
        return BlockedThreadWatch.take();
    }

    public static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    }

    /** Waits for a future that must fail; returns why. */
    public static Throwable awaitFailure(Future<?> future) {
        try {
            Object value = await(future);
            throw new AssertionError("expected a failure, got " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("no outcome: " + e, e);
        }
    }

    public Vertx vertx() {
        return server.vertx();
    }

    /** The embedded object store this service runs on. */
    public EmbeddedS3 objectStore() {
        return server.embeddedS3();
    }

    @Override
    public void close() throws Exception {
        await(server.close());
        List<String> blocked = BlockedThreadWatch.take();
        if (!blocked.isEmpty()) {
            throw new AssertionError("the event loop was blocked: " + blocked);
        }
    }
}
