package dev.convoy.ingest.storage;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.interceptor.Context.AfterExecution;
import software.amazon.awssdk.core.interceptor.Context.FailedExecution;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.GetObjectPresignRequest;

/**
 * The bucket Convoy writes clips to, over the AWS SDK v2 async client: the same code path
 * for AWS S3, any S3-compatible store and the embedded one. Results come back as Vert.x
 * futures on the caller's context; nothing here blocks.
 */
public final class ObjectStore implements AutoCloseable {

    /** Where the store is and how to reach it. */
    public record Endpoint(URI uri, String region, String bucket, boolean pathStyle,
                           boolean checksumWhenRequired, long partSize, int uploadConcurrency,
                           AwsCredentialsProvider credentials) {

        public static Endpoint embedded(EmbeddedS3 s3, String bucket, long partSize, int uploadConcurrency) {
            return new Endpoint(s3.endpoint(), "us-east-1", bucket, true, false, partSize, uploadConcurrency,
                    StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())));
        }

        public static Endpoint external(URI uri, String region, String bucket, boolean pathStyle,
                                        boolean checksumWhenRequired, long partSize, int uploadConcurrency) {
            return new Endpoint(uri, region, bucket, pathStyle, checksumWhenRequired, partSize, uploadConcurrency,
                    DefaultCredentialsProvider.builder().build());
        }
    }

    /** How an object is stored beyond its bytes: content type, the SHA-256 the store checks, lifecycle tags. */
    public record PutOptions(String contentType, String sha256Hex, String tagging) {
        public static PutOptions of(String contentType) {
            return new PutOptions(contentType, null, null);
        }

        public PutOptions withSha256(String hex) {
            return new PutOptions(contentType, hex, tagging);
        }

        public PutOptions withTagging(String urlEncodedTags) {
            return new PutOptions(contentType, sha256Hex, urlEncodedTags);
        }
    }

    private final S3AsyncClient client;
    private final S3Presigner presigner;
    private final String bucket;
    private final long partSize;
    /** Parts of growing files in flight at once, node-wide: each holds a reader thread while it streams. */
    private static final int GROWING_PARTS = 4;
    private final Semaphore growingParts = new Semaphore(GROWING_PARTS);
    private final ExecutorService partReaders = Executors.newFixedThreadPool(GROWING_PARTS, r -> {
        Thread t = new Thread(r, "convoy-growing-part");
        t.setDaemon(true);
        return t;
    });
    private final int uploadConcurrency;
    private final boolean checksums;
    private final MeterRegistry registry;

    public ObjectStore(Endpoint endpoint) {
        this(endpoint, new SimpleMeterRegistry());
    }

    /** A store whose requests are counted in {@code registry} as {@code convoy.store.requests{operation,outcome}}. */
    public ObjectStore(Endpoint endpoint, MeterRegistry registry) {
        this.registry = registry;
        S3Configuration s3 = S3Configuration.builder().pathStyleAccessEnabled(endpoint.pathStyle()).build();
        this.client = S3AsyncClient.builder()
                .overrideConfiguration(c -> c.addExecutionInterceptor(new RequestCounter(registry)))
                .endpointOverride(endpoint.uri())
                .region(Region.of(endpoint.region()))
                .credentialsProvider(endpoint.credentials())
                .forcePathStyle(endpoint.pathStyle())
                .requestChecksumCalculation(endpoint.checksumWhenRequired()
                        ? RequestChecksumCalculation.WHEN_REQUIRED : RequestChecksumCalculation.WHEN_SUPPORTED)
                .responseChecksumValidation(endpoint.checksumWhenRequired()
                        ? ResponseChecksumValidation.WHEN_REQUIRED : ResponseChecksumValidation.WHEN_SUPPORTED)
                .build();
        this.presigner = S3Presigner.builder()
                .endpointOverride(endpoint.uri())
                .region(Region.of(endpoint.region()))
                .credentialsProvider(endpoint.credentials())
                .serviceConfiguration(s3)
                .build();
        this.bucket = endpoint.bucket();
        this.partSize = endpoint.partSize();
        this.uploadConcurrency = endpoint.uploadConcurrency();
        this.checksums = !endpoint.checksumWhenRequired();
    }

    public String bucket() {
        return bucket;
    }

    /** Creates the bucket if it does not exist; several nodes starting at once may all try, and all succeed. */
    public Future<Void> ensureBucket(Context ctx) {
        CompletableFuture<Void> cf = client.headBucket(b -> b.bucket(bucket))
                .<Void>thenApply(r -> null)
                .exceptionallyCompose(err -> {
                    Throwable cause = unwrap(err);
                    if (cause instanceof NoSuchBucketException
                            || (cause instanceof S3Exception s3 && s3.statusCode() == 404)) {
                        return client.createBucket(b -> b.bucket(bucket)).<Void>thenApply(r -> null)
                                .exceptionallyCompose(createErr -> {
                                    Throwable why = unwrap(createErr);
                                    // Another node created it first: it is there, which is all that was wanted.
                                    return why instanceof BucketAlreadyOwnedByYouException
                                            || (why instanceof S3Exception s3 && s3.statusCode() == 409)
                                            ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(why);
                                });
                    }
                    return CompletableFuture.failedFuture(cause);
                });
        return Future.fromCompletionStage(cf, ctx);
    }

    /** Whether the bucket answers; used by readiness. */
    public Future<Void> ping(Context ctx) {
        return Future.fromCompletionStage(client.headBucket(b -> b.bucket(bucket)).thenApply(r -> (Void) null), ctx);
    }

    /**
     * Streams a local file up; files larger than the part size go up as a multipart upload in
     * parallel parts, each with its SHA-256 for the store to check. A whole file's SHA-256,
     * when given, is sent with a single-request upload for the store to check.
     */
    public Future<Void> putFile(Context ctx, String key, Path file, PutOptions options) {
        CompletableFuture<Void> upload;
        try {
            long size = Files.size(file);
            upload = size > partSize
                    ? new MultipartUpload(client, bucket, key, options, file, size, partSize, uploadConcurrency, checksums).run()
                    : client.putObject(b -> put(b, key, options).contentLength(size), AsyncRequestBody.fromFile(file))
                            .thenApply(r -> null);
        } catch (IOException e) {
            upload = CompletableFuture.failedFuture(e);
        }
        return Future.fromCompletionStage(upload, ctx);
    }

    /**
     * A local file still growing, sent as a multipart upload while it grows (see {@link GrowingUpload});
     * nothing is sent until its first part is full.
     */
    public GrowingUpload putGrowing(String key, Path file, PutOptions options) {
        return new GrowingUpload(this, new MultipartUpload(client, bucket, key, options, file, -1, partSize, uploadConcurrency, checksums),
                file, partReaders);
    }

    /** Originals larger than this go up in parts. */
    public long partSize() {
        return partSize;
    }

    /** A permit for one part of a growing file in flight; false when the node has as many as it allows. */
    boolean takePartPermit() {
        return growingParts.tryAcquire();
    }

    void givePartPermit() {
        growingParts.release();
    }

    public Future<Void> putBytes(Context ctx, String key, byte[] bytes, String contentType) {
        return putBytes(ctx, key, bytes, PutOptions.of(contentType));
    }

    public Future<Void> putBytes(Context ctx, String key, byte[] bytes, PutOptions options) {
        return Future.fromCompletionStage(client.putObject(b -> put(b, key, options),
                AsyncRequestBody.fromBytes(bytes)).thenApply(r -> (Void) null), ctx);
    }

    /**
     * Writes a small object only if no object has the key yet ({@code If-None-Match: *}):
     * completes with true when this call wrote it, false when one was already there. Of
     * several nodes writing the same key at once, exactly one gets true.
     */
    public Future<Boolean> putBytesIfAbsent(Context ctx, String key, byte[] bytes, String contentType) {
        CompletableFuture<Boolean> cf = client.putObject(b -> put(b, key, PutOptions.of(contentType)).ifNoneMatch("*"),
                        AsyncRequestBody.fromBytes(bytes))
                .thenApply(r -> true)
                .exceptionallyCompose(err -> {
                    Throwable cause = unwrap(err);
                    if (cause instanceof S3Exception s3 && (s3.statusCode() == 412 || s3.statusCode() == 409)) {
                        return CompletableFuture.completedFuture(false);
                    }
                    return CompletableFuture.failedFuture(cause);
                });
        return Future.fromCompletionStage(cf, ctx);
    }

    private PutObjectRequest.Builder put(PutObjectRequest.Builder b, String key, PutOptions options) {
        b.bucket(bucket).key(key).contentType(options.contentType()).tagging(options.tagging());
        if (checksums && options.sha256Hex() != null) {
            b.checksumSHA256(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(options.sha256Hex())));
        }
        return b;
    }

    /**
     * Sets the bucket's lifecycle: objects tagged {@code convoy-expire-days=N} expire N days
     * after they were written. Completes with false when the store has no lifecycle support.
     */
    public Future<Boolean> applyExpiryRules(Context ctx, Collection<Long> days) {
        List<LifecycleRule> rules = days.stream().distinct().map(d -> LifecycleRule.builder()
                .id("convoy-expire-" + d + "d")
                .status(ExpirationStatus.ENABLED)
                .filter(f -> f.tag(Tag.builder().key(EXPIRE_TAG).value(Long.toString(d)).build()))
                .expiration(e -> e.days(d.intValue()))
                .abortIncompleteMultipartUpload(a -> a.daysAfterInitiation(7))
                .build()).toList();
        CompletableFuture<Boolean> cf = client.putBucketLifecycleConfiguration(b -> b.bucket(bucket)
                        .lifecycleConfiguration(l -> l.rules(rules)))
                .thenApply(r -> true)
                .exceptionallyCompose(err -> {
                    Throwable cause = unwrap(err);
                    if (cause instanceof S3Exception s3 && (s3.statusCode() == 501 || s3.statusCode() == 400
                            || s3.statusCode() == 405)) {
                        return CompletableFuture.completedFuture(false);
                    }
                    return CompletableFuture.failedFuture(cause);
                });
        return Future.fromCompletionStage(cf, ctx);
    }

    /** The tag that the lifecycle rules of {@link #applyExpiryRules} match. */
    public static final String EXPIRE_TAG = "convoy-expire-days";

    /** Reads a small object whole; null when it does not exist. */
    public Future<Buffer> getSmall(Context ctx, String key) {
        CompletableFuture<Buffer> cf = client.getObject(b -> b.bucket(bucket).key(key), AsyncResponseTransformer.toBytes())
                .thenApply(bytes -> Buffer.buffer(bytes.asByteArray()))
                .exceptionallyCompose(err -> {
                    Throwable cause = unwrap(err);
                    if (cause instanceof NoSuchKeyException || (cause instanceof S3Exception s3 && s3.statusCode() == 404)) {
                        return CompletableFuture.completedFuture(null);
                    }
                    return CompletableFuture.failedFuture(cause);
                });
        return Future.fromCompletionStage(cf, ctx);
    }

    /** Streams an object into {@code file} (replaced if there); completes with false when the object does not exist. */
    public Future<Boolean> getToFile(Context ctx, String key, Path file) {
        CompletableFuture<Boolean> cf;
        try {
            Files.deleteIfExists(file);
            cf = client.getObject(b -> b.bucket(bucket).key(key), AsyncResponseTransformer.toFile(file))
                    .thenApply(r -> true)
                    .exceptionallyCompose(err -> {
                        Throwable cause = unwrap(err);
                        if (cause instanceof NoSuchKeyException || (cause instanceof S3Exception s3 && s3.statusCode() == 404)) {
                            return CompletableFuture.completedFuture(false);
                        }
                        return CompletableFuture.failedFuture(cause);
                    });
        } catch (IOException e) {
            cf = CompletableFuture.failedFuture(e);
        }
        return Future.fromCompletionStage(cf, ctx);
    }

    /** One page of keys under a prefix, in key order, after {@code startAfter} (may be null). */
    public record KeyPage(List<String> keys, boolean truncated) {
    }

    public Future<KeyPage> listKeys(Context ctx, String prefix, String startAfter, int max) {
        return Future.fromCompletionStage(client.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).startAfter(startAfter).maxKeys(max))
                .thenApply(page -> new KeyPage(page.contents().stream().map(o -> o.key()).toList(),
                        Boolean.TRUE.equals(page.isTruncated()))), ctx);
    }

    /** Deletes one object; deleting one that is not there is not an error. */
    public Future<Void> delete(Context ctx, String key) {
        return Future.fromCompletionStage(client.deleteObject(b -> b.bucket(bucket).key(key)).thenApply(r -> (Void) null), ctx);
    }

    /** Deletes every object under {@code prefix}; completes with how many there were. */
    public Future<Integer> deletePrefix(Context ctx, String prefix) {
        return Future.fromCompletionStage(deletePage(prefix, null, 0), ctx);
    }

    private CompletableFuture<Integer> deletePage(String prefix, String continuation, int deletedSoFar) {
        return client.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).continuationToken(continuation))
                .thenCompose(page -> {
                    CompletableFuture<?>[] deletes = page.contents().stream()
                            .map(o -> client.deleteObject(d -> d.bucket(bucket).key(o.key())))
                            .toArray(CompletableFuture[]::new);
                    int deleted = deletedSoFar + deletes.length;
                    return CompletableFuture.allOf(deletes).thenCompose(v -> Boolean.TRUE.equals(page.isTruncated())
                            ? deletePage(prefix, page.nextContinuationToken(), deleted)
                            : CompletableFuture.completedFuture(deleted));
                });
    }

    /** A time-limited GET URL; {@code downloadName} (a base name, may be null) becomes the saved file's name. */
    public String presignGet(String key, Duration ttl, String downloadName) {
        GetObjectRequest.Builder get = GetObjectRequest.builder().bucket(bucket).key(key);
        if (downloadName != null) {
            get.responseContentDisposition(ContentDisposition.attachment(downloadName));
        }
        return presigner.presignGetObject(GetObjectPresignRequest.builder()
                .signatureDuration(ttl)
                .getObjectRequest(get.build())
                .build()).url().toString();
    }

    /** Counts the store's requests by operation (ListObjectsV2, PutObject, ...), what a store bills and what listing costs. */
    private static final class RequestCounter implements ExecutionInterceptor {
        private final MeterRegistry registry;

        RequestCounter(MeterRegistry registry) {
            this.registry = registry;
        }

        @Override
        public void afterExecution(AfterExecution context, ExecutionAttributes attributes) {
            count(attributes, "ok");
        }

        @Override
        public void onExecutionFailure(FailedExecution context, ExecutionAttributes attributes) {
            count(attributes, outcome(unwrap(context.exception()) instanceof SdkServiceException e ? e.statusCode() : 0));
        }

        private void count(ExecutionAttributes attributes, String outcome) {
            String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
            counted(registry, operation == null ? "unknown" : operation, outcome);
        }
    }

    /**
     * The outcome a store's answer is counted under: a key that is not there, or a write-if-absent
     * that found one, is an answer, not the store failing; 0 stands for no answer at all.
     */
    private static String outcome(int status) {
        return status == 404 ? "not_found" : status == 412 ? "precondition_failed"
                : status >= 200 && status < 400 ? "ok" : "error";
    }

    private static void counted(MeterRegistry registry, String operation, String outcome) {
        registry.counter("convoy.store.requests", "operation", operation, "outcome", outcome).increment();
    }

    /**
     * Counts a GET of a presigned URL that Convoy made itself (the media it relays) with the
     * SDK's own requests; {@code status} is the store's answer, 0 for none.
     */
    public void countPresignedGet(int status) {
        counted(registry, "GetObject", outcome(status));
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    @Override
    public void close() {
        partReaders.shutdownNow();
        presigner.close();
        client.close();
    }
}
