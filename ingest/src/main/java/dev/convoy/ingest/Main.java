package dev.convoy.ingest;

import dev.convoy.ingest.auth.DeviceTokens;
import dev.convoy.ingest.auth.Revocations;
import dev.convoy.ingest.auth.SigningSecret;
import dev.convoy.ingest.storage.EmbeddedS3;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code convoy serve} runs the service; {@code convoy token} mints a bearer token; {@code convoy revoke} refuses a device's tokens. */
public final class Main {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        String command = args.length == 0 ? "help" : args[0];
        List<String> rest = Arrays.asList(args).subList(Math.min(1, args.length), args.length);
        try {
            switch (command) {
                case "serve" -> serve(ConvoyConfig.from(rest, System.getenv()));
                case "token" -> token(rest);
                case "revoke" -> revoke(rest);
                case "object-store" -> objectStore(rest);
                case "fleet" -> {
                    System.err.println("convoy: the fleet simulator has its own jar: build it with ./mvnw -q package -DskipTests,"
                            + " then run java -jar benchmarks/target/convoy-fleet.jar --help");
                    System.exit(2);
                }
                default -> {
                    usage();
                    System.exit(command.equals("help") || command.equals("--help") ? 0 : 2);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("convoy: " + e.getMessage());
            System.exit(2);
        } catch (Exception | LinkageError e) {
            LOG.error("event=fatal", e);
            // Vert.x or Jetty threads may already run and would keep the JVM alive.
            System.exit(1);
        }
    }

    private static void serve(ConvoyConfig config) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        ConvoyServer.start(config)
                .onSuccess(server -> {
                    LOG.info("event=ready url={} management={} data_dir={} object_store={}", server.baseUrl() + "/",
                            server.managementUrl() + "/metrics", config.dataDir(),
                            config.embeddedS3() ? "embedded" : config.s3Endpoint());
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        LOG.info("event=stopping");
                        server.drain(config.drainGrace()).compose(v -> server.close()).toCompletionStage().toCompletableFuture().join();
                        stopped.countDown();
                    }, "convoy-shutdown"));
                })
                .onFailure(err -> {
                    LOG.error("event=start_failed cause=\"{}\"", err.toString(), err);
                    System.exit(1);
                });
        stopped.await();
    }

    /**
     * Runs the embedded S3 store alone, for several local nodes to share (as they would share
     * S3): {@code --dir} for its objects, {@code --port} on the loopback address, the credentials
     * from {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}, as the nodes read them.
     */
    private static void objectStore(List<String> args) throws Exception {
        Map<String, String> flags = ConvoyConfig.parseFlags(args);
        String dir = flags.remove("dir");
        String port = flags.remove("port");
        if (dir == null || port == null || !flags.isEmpty()) {
            throw new IllegalArgumentException("object-store needs --dir DIR and --port PORT, and nothing else");
        }
        String accessKey = System.getenv("AWS_ACCESS_KEY_ID");
        String secretKey = System.getenv("AWS_SECRET_ACCESS_KEY");
        if (accessKey == null || secretKey == null) {
            throw new IllegalArgumentException("object-store takes its credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
        }
        int portNumber;
        try {
            portNumber = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port must be a port number, not '" + port + "'", e);
        }
        EmbeddedS3 store = EmbeddedS3.start(Path.of(dir), portNumber, accessKey, secretKey);
        LOG.info("event=object_store_ready endpoint={}", store.endpoint());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                store.close();
            } catch (Exception e) {
                LOG.warn("event=object_store_stop_failed cause=\"{}\"", e.toString());
            }
            stopped.countDown();
        }, "object-store-shutdown"));
        stopped.await();
    }

    /** Refuses every token issued so far to a device (a lost or stolen camera); a running server sees it within seconds. */
    private static void revoke(List<String> args) throws Exception {
        List<String> configArgs = new ArrayList<>();
        String[] ids = deviceAndOwner(args, configArgs);
        if (ids[0] == null || ids[1] == null) {
            throw new IllegalArgumentException("revoke needs --owner and --device");
        }
        ConvoyConfig config = ConvoyConfig.from(configArgs, System.getenv());
        Revocations.revoke(config.dataDir(), ids[1], ids[0]);
        System.out.println("revoked every token issued so far to device " + ids[0] + " of " + ids[1]);
        System.exit(0);
    }

    private static void token(List<String> args) throws Exception {
        List<String> configArgs = new ArrayList<>();
        String[] ids = deviceAndOwner(args, configArgs);
        String device = ids[0];
        String owner = ids[1];
        if (owner == null) {
            throw new IllegalArgumentException("token needs --owner (and --device for a device token)");
        }
        ConvoyConfig config = ConvoyConfig.from(configArgs, System.getenv());
        Vertx vertx = Vertx.vertx();
        try {
            DeviceTokens tokens = new DeviceTokens(vertx, SigningSecret.loadOrCreate(config.dataDir(), config.jwtSecret()));
            System.out.println(device == null ? tokens.issueOwner(owner) : tokens.issueDevice(owner, device));
        } finally {
            vertx.close();
        }
        System.exit(0);
    }

    /** Takes --device and --owner out of {@code args}: [device, owner]; the rest go to {@code configArgs}. */
    private static String[] deviceAndOwner(List<String> args, List<String> configArgs) {
        String device = null;
        String owner = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if ((arg.equals("--device") || arg.equals("--owner")) && i + 1 < args.size()) {
                if (arg.equals("--device")) {
                    device = args.get(++i);
                } else {
                    owner = args.get(++i);
                }
            } else if (arg.startsWith("--device=")) {
                device = arg.substring("--device=".length());
            } else if (arg.startsWith("--owner=")) {
                owner = arg.substring("--owner=".length());
            } else {
                configArgs.add(arg);
            }
        }
        return new String[] {device, owner};
    }

    private static void usage() {
        StringBuilder text = new StringBuilder("""
                usage: convoy serve [options]        run the service
                       convoy token --owner ID [--device ID] [--data-dir DIR]
                                                     print a bearer token (device token with --device)
                       convoy revoke --owner ID --device ID [--data-dir DIR]
                                                     refuse every token issued so far to that device
                       convoy object-store --dir DIR --port PORT
                                                     the embedded S3 store alone, for local nodes to share
                                                     (credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)
                options (flag, environment variable, default):
                """);
        for (ConvoyConfig.Setting s : ConvoyConfig.SETTINGS) {
            text.append(String.format("  --%-22s %-30s %s%n", s.flag(), s.env(), s.defaultValue()));
        }
        System.out.print(text);
    }
}
