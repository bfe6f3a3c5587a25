package dev.convoy.ingest.storage;

import java.time.Duration;

/**
 * Where a client downloads an object from: a presigned URL of the object store, or a signed
 * link through Convoy itself when the store is the embedded one (whose address is loopback).
 */
@FunctionalInterface
public interface MediaLinks {

    /**
     * A link to {@code key} valid for {@code ttl}, downloaded under {@code downloadName} when that
     * is not null (as an attachment), otherwise shown inline.
     */
    String link(String key, Duration ttl, String downloadName);
}
