package dev.convoy.ingest.storage;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The object store used when none is configured: S3Proxy on loopback with its filesystem
 * backend. Convoy talks to it with the same AWS SDK code (and SigV4) as to real S3.
 */
public final class EmbeddedS3 implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedS3.class);

    private final Path baseDir;
    private final URI endpoint;
    private final String accessKey;
    private final String secretKey;
    private volatile S3Proxy proxy;

    private EmbeddedS3(Path baseDir, S3Proxy proxy, URI endpoint, String accessKey, String secretKey) {
        this.baseDir = baseDir;
        this.proxy = proxy;
        this.endpoint = endpoint;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /** Starts S3Proxy on a free loopback port, storing objects under {@code baseDir}. */
    public static EmbeddedS3 start(Path baseDir) throws Exception {
        Files.createDirectories(baseDir);
        // Fresh credentials each start: the store listens on loopback for this process only.
        SecureRandom random = new SecureRandom();
        String accessKey = "convoy-" + HexFormat.of().formatHex(random.generateSeed(6));
        String secretKey = HexFormat.of().formatHex(random.generateSeed(20));
        S3Proxy proxy = launch(baseDir, 0, accessKey, secretKey);
        URI endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
        LOG.info("event=embedded_s3_started endpoint={} dir={}", endpoint, baseDir);
        return new EmbeddedS3(baseDir, proxy, endpoint, accessKey, secretKey);
    }

    /**
     * Starts S3Proxy on {@code port} of the loopback address with the given credentials: the
     * store several local nodes share ({@code convoy object-store}, {@code benchmarks/cluster.sh}).
     */
    public static EmbeddedS3 start(Path baseDir, int port, String accessKey, String secretKey) throws Exception {
        Files.createDirectories(baseDir);
        S3Proxy proxy = launch(baseDir, port, accessKey, secretKey);
        URI endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
        LOG.info("event=embedded_s3_started endpoint={} dir={}", endpoint, baseDir);
        return new EmbeddedS3(baseDir, proxy, endpoint, accessKey, secretKey);
    }

    private static S3Proxy launch(Path baseDir, int port, String accessKey, String secretKey) throws Exception {
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", baseDir.toString());
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(BlobStores.create("filesystem-nio2", props))
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V4, accessKey, secretKey)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                proxy.stop();
                throw new IllegalStateException("embedded S3 did not start within 30 s (state " + proxy.getState() + ")");
            }
            Thread.sleep(10);
        }
        return proxy;
    }

    /** Stops the store, keeping its objects, as an outage would. */
    public void stop() throws Exception {
        proxy.stop();
        LOG.warn("event=embedded_s3_stopped endpoint={}", endpoint);
    }

    /** Starts a stopped store again on the same port with the same credentials and objects. */
    public void restart() throws Exception {
        proxy = launch(baseDir, endpoint.getPort(), accessKey, secretKey);
        LOG.info("event=embedded_s3_restarted endpoint={}", endpoint);
    }

    public URI endpoint() {
        return endpoint;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
