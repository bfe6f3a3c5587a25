package dev.convoy.benchmarks;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.spi.FilterReply;
import dev.convoy.ingest.ConvoyConfig;
import dev.convoy.ingest.ConvoyServer;
import dev.convoy.ingest.auth.DeviceTokens;
import dev.convoy.ingest.auth.SigningSecret;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * A real Convoy server in this JVM, on a free port with the embedded S3 store, started through
 * ingest's public {@link ConvoyServer} API. Closing it fails if Vert.x saw its event loop blocked.
 */
public final class LocalServer implements AutoCloseable {

    private static final ListAppender<ILoggingEvent> BLOCKED = new ListAppender<>();

    static {
        BLOCKED.start();
        // Vert.x logs these under a logger whose package moved between versions: match on the class name.
        BLOCKED.addFilter(new Filter<>() {
            @Override
            public FilterReply decide(ILoggingEvent event) {
                return event.getLoggerName().endsWith("BlockedThreadChecker") ? FilterReply.ACCEPT : FilterReply.DENY;
            }
        });
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(BLOCKED);
    }

    private final ConvoyServer server;
    private final DeviceTokens tokens;

    private LocalServer(ConvoyServer server, DeviceTokens tokens) {
        this.server = server;
        this.tokens = tokens;
    }

    /** A server on {@code dataDir} with one transcode worker; {@code extraFlags} are more {@code convoy serve} flags. */
    public static LocalServer start(Path dataDir, String... extraFlags) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--management-port", "0", "--host", "127.0.0.1", "--data-dir", dataDir.toString(),
                "--transcode-workers", "1", "--transcode-threads", "2",
                // The event loop must never block: a tight limit, and any warning fails the test on close.
                "--event-loop-max-ms", "300"));
        args.addAll(List.of(extraFlags));
        ConvoyConfig config = ConvoyConfig.from(args, Map.of());
        blockedThreadWarnings();
        ConvoyServer server = await(ConvoyServer.start(config));
        return new LocalServer(server, new DeviceTokens(server.vertx(), SigningSecret.loadOrCreate(dataDir, null)));
    }

    public String baseUrl() {
        return server.baseUrl();
    }

    /** Where {@code /metrics} and the health probes answer. */
    public String managementUrl() {
        return server.managementUrl();
    }

    public String deviceToken(String owner, String device) {
        return tokens.issueDevice(owner, device);
    }

    public static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        await(server.close());
        List<String> blocked = blockedThreadWarnings();
        if (!blocked.isEmpty()) {
            throw new AssertionError("the event loop was blocked: " + blocked);
        }
    }

    /** Blocked-thread warnings Vert.x logged since the last call. */
    private static List<String> blockedThreadWarnings() {
        synchronized (BLOCKED) { // the appender appends under its own lock
            List<String> messages = BLOCKED.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            BLOCKED.list.clear();
            return messages;
        }
    }
}
