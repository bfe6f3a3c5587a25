package dev.convoy.ingest.tus;

/**
 * Hears about uploads as they move: how the protocol layer hands finished uploads on. Every
 * call comes after the state it reports is durable.
 */
public interface UploadEvents {

    /** Created, or moved forward without completing. */
    void progressed(UploadState upload);

    /** Every byte has arrived (for a final concatenation: its parts were joined). Not called for partial uploads. */
    void completed(UploadState upload);

    /** A final concatenation whose joined parts would pass the size limit: it will never complete. */
    void refused(UploadState upload, String reason);

    /** Deleted: by its client, by expiry, or by {@link UploadService#remove}. */
    void removed(UploadState upload);
}
