package dev.convoy.ingest.tus;

/**
 * Who sent a request, as far as the protocol cares: the owner whose uploads it may see, and
 * the client within that owner. The policy decides what a token means.
 */
public record Uploader(String owner, String device) {
}
