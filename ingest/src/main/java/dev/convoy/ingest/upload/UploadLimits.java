package dev.convoy.ingest.upload;

import java.time.Duration;

/**
 * The limits the upload endpoint enforces.
 *
 * @param maxSize             largest {@code Upload-Length} (advertised as {@code Tus-Max-Size})
 * @param maxMetadataBytes    longest {@code Upload-Metadata} header
 * @param maxUploadsPerDevice unfinished uploads one device may hold at once
 * @param maxOwnerBytesInFlight bytes one owner's unfinished uploads may still send, all devices together
 * @param expiry              how long an unfinished upload lives after its last write
 */
public record UploadLimits(long maxSize, int maxMetadataBytes, int maxUploadsPerDevice, long maxOwnerBytesInFlight,
                           Duration expiry) {
}
