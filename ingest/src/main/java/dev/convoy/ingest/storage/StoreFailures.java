package dev.convoy.ingest.storage;

import java.io.IOException;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Tells a store that is away (worth a 503 and a retry) from everything else (a bug, worth a
 * 500 and a logged cause): a request that never got an answer, or an answer that says the
 * store is busy or failing.
 */
public final class StoreFailures {

    private StoreFailures() {
    }

    /** Whether {@code err}, or anything that caused it, says the object store did not answer or is failing. */
    public static boolean isUnavailable(Throwable err) {
        for (Throwable t = err; t != null; t = t.getCause()) {
            if (t instanceof SdkServiceException service) {
                return service.statusCode() >= 500 || service.isThrottlingException();
            }
            if (t instanceof SdkClientException || t instanceof TimeoutException
                    || (t instanceof IOException && !t.getClass().getName().startsWith("java.nio.file"))) {
                // No answer at all: connection refused or reset, timed out, or the client gave up.
                return true;
            }
        }
        return false;
    }
}
