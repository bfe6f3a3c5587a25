package dev.convoy.ingest.upload;

/** Hears about uploads as they move; how the upload stage hands clips down the path. */
public interface UploadListener {

    /** Created or moved forward: the state now durable. */
    void onProgress(UploadState upload);

    /** Every byte has arrived and is durable; the state is already PROCESSING. */
    void onCompleted(UploadState upload);

    void onTerminated(UploadState upload);
}
