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
        return client.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(options.contentType())
                        .tagging(options.tagging()).checksumAlgorithm(checksum))
                .thenCompose(created -> uploadParts(created.uploadId())
                        .thenCompose(parts -> client.completeMultipartUpload(b -> b.bucket(bucket).key(key)
                                .uploadId(created.uploadId())
                                .multipartUpload(m -> m.parts(parts))))
                        .<Void>thenApply(done -> null)
                        // A failed upload is aborted, so its parts do not linger in the bucket; the failure stands.
                        .exceptionallyCompose(err -> client.abortMultipartUpload(b -> b.bucket(bucket).key(key)
                                        .uploadId(created.uploadId()))
                                .handle((aborted, abortErr) -> (Void) null)
                                .thenCompose(v -> CompletableFuture.<Void>failedFuture(err))));
    }

    private CompletableFuture<List<CompletedPart>> uploadParts(String uploadId) {
        int partCount = (int) ((size + partSize - 1) / partSize);
        List<CompletedPart> parts = new ArrayList<>(partCount);
        List<CompletableFuture<Void>> chains = new ArrayList<>();
        for (int lane = 0; lane < Math.min(lanes, partCount); lane++) {
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int part = lane + 1; part <= partCount; part += lanes) {
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

    private CompletableFuture<CompletedPart> uploadPart(String uploadId, int number) {
        long position = (number - 1) * partSize;
        long length = Math.min(partSize, size - position);
        return client.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number).contentLength(length)
                                .checksumAlgorithm(checksum),
                        AsyncRequestBody.fromFile(f -> f.path(file).position(position).numBytesToRead(length)))
                .thenApply(res -> CompletedPart.builder().partNumber(number).eTag(res.eTag())
                        .checksumCRC32(res.checksumCRC32())
                        .checksumCRC32C(res.checksumCRC32C())
                        .checksumSHA1(res.checksumSHA1())
                        .checksumSHA256(res.checksumSHA256())
                        .build());
    }
}
