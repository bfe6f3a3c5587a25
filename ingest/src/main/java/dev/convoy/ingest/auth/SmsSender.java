package dev.convoy.ingest.auth;

import io.vertx.core.Future;

/** Sends a text message to a phone number in E.164 form. */
public interface SmsSender {

    Future<Void> send(String phoneE164, String text);

    /** What the sender is, for the start-up log. */
    String describe();
}
