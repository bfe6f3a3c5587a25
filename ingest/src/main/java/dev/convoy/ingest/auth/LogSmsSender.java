package dev.convoy.ingest.auth;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The development sender: nothing is texted, the message goes to the log instead, so that
 * sign-in works on a laptop. Never run it where strangers can ask for codes.
 */
public final class LogSmsSender implements SmsSender {

    private static final Logger LOG = LoggerFactory.getLogger(LogSmsSender.class);

    @Override
    public Future<Void> send(String phoneE164, String text) {
        LOG.warn("event=sms_not_sent sender=development-log to={} text=\"{}\"", phoneE164, text);
        return Future.succeededFuture();
    }

    @Override
    public String describe() {
        return "development sender: codes are written to the log, not texted (set --sms-sender sns to text them)";
    }
}
