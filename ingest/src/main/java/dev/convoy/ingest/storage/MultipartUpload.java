package dev.convoy.ingest.storage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * One file sent as an S3 multipart upload, each part read straight from its range of the
 * file (never the whole file in memory). Parts go up in a few parallel lanes; a failed
 * upload is aborted so the store keeps no orphaned parts.
 */
final class MultipartUpload {

    private final S3AsyncClient client;
    private final String bucket;
    private final String key;
    private final ObjectStore.PutOptions options;
    private final Path file;
    private final long size;
    private final long partSize;
    /** Parts in flight at once. */
    private final int lanes;
    private final ChecksumAlgorithm checksum;

    MultipartUpload(S3AsyncClient client, String bucket, String key, ObjectStore.PutOptions options, Path file, long size,
                    long partSize, int lanes, boolean checksums) {
        this.client = client;
        this.bucket = bucket;
        this.key = key;
        this.options = options;
        this.file = file;
        this.size = size;
        this.partSize = partSize;
        this.lanes = lanes;
        // Each part's SHA-256 goes with it and the store checks it (and the composite at completion).
        this.checksum = checksums ? ChecksumAlgorithm.SHA256 : null;
    }

    CompletableFuture<Void> run() {
        return create().thenCompose(uploadId -> uploadParts(uploadId)
                        .thenCompose(parts -> complete(uploadId, parts))
                        // A failed upload is aborted, so its parts do not linger in the bucket; the failure stands.
                        .exceptionallyCompose(err -> abort(uploadId).thenCompose(v -> CompletableFuture.<Void>failedFuture(err))));
    }

    /** Starts the multipart upload; completes with its id. */
    CompletableFuture<String> create() {
        return client.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(options.contentType())
                        .tagging(options.tagging()).checksumAlgorithm(checksum))
                .thenApply(created -> created.uploadId());
    }

    /** Completes the upload from its parts, in part order. */
    CompletableFuture<Void> complete(String uploadId, List<CompletedPart> parts) {
        List<CompletedPart> sorted = new ArrayList<>(parts);
        sorted.sort(Comparator.comparingInt(CompletedPart::partNumber));
        return client.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(sorted)))
                .thenApply(done -> null);
    }

    /** Aborts the upload, so that its parts do not linger; never fails. */
    CompletableFuture<Void> abort(String uploadId) {
        return client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)).handle((aborted, err) -> null);
    }

    long partSize() {
        return partSize;
    }

    /** The same upload of the same file, now complete at {@code bytes}. */
    MultipartUpload sized(long bytes) {
        return new MultipartUpload(client, bucket, key, options, file, bytes, partSize, lanes, checksum != null);
    }

    private CompletableFuture<List<CompletedPart>> uploadParts(String uploadId) {
        return uploadParts(uploadId, 1, (int) ((size + partSize - 1) / partSize));
    }

    /** Parts {@code first} to {@code last} of the file, a few lanes at a time; completes with them in part order. */
    CompletableFuture<List<CompletedPart>> uploadParts(String uploadId, int first, int last) {
        int partCount = Math.max(0, last - first + 1);
        List<CompletedPart> parts = new ArrayList<>(partCount);
        List<CompletableFuture<Void>> chains = new ArrayList<>();
        for (int lane = 0; lane < Math.min(lanes, partCount); lane++) {
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int part = first + lane; part <= last; part += lanes) {
                int number = part;
                chain = chain.thenCompose(v -> uploadPart(uploadId, number)).thenAccept(done -> {
                    synchronized (parts) {
                        parts.add(done);
                    }
                });
            }
            chains.add(chain);
        }
        return CompletableFuture.allOf(chains.toArray(CompletableFuture[]::new)).thenApply(v -> {
            parts.sort(Comparator.comparingInt(CompletedPart::partNumber));
            return parts;
        });
    }

    /** Uploads part {@code number} of the file, read from its place in it. */
    CompletableFuture<CompletedPart> uploadPart(String uploadId, int number) {
        long position = (number - 1) * partSize;
        long length = Math.min(partSize, size - position);
        return uploadPart(uploadId, number, length, AsyncRequestBody.fromFile(f -> f.path(file).position(position).numBytesToRead(length)));
    }

    /** Uploads part {@code number} ({@code length} bytes from {@code body}). */
    CompletableFuture<CompletedPart> uploadPart(String uploadId, int number, long length, AsyncRequestBody body) {
        return client.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number).contentLength(length)
                                .checksumAlgorithm(checksum), body)
                .thenApply(res -> CompletedPart.builder().partNumber(number).eTag(res.eTag())
                        .checksumCRC32(res.checksumCRC32())
                        .checksumCRC32C(res.checksumCRC32C())
                        .checksumSHA1(res.checksumSHA1())
                        .checksumSHA256(res.checksumSHA256())
                        .build());
    }
}
