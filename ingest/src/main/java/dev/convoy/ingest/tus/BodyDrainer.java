package dev.convoy.ingest.tus;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads and drops the unread body of a refused request, within named limits. A client must
 * finish sending to read our answer (HttpURLConnection, and so tus-java-client, loses an
 * answer that arrives while it still sends a {@code Expect: 100-continue} body), but a refused
 * request must not make the server read gigabytes: past the limit the connection is closed.
 */
final class BodyDrainer {

    /** Before answering: read at most this much (1 MiB) ... */
    static final long BEFORE_ANSWER_BYTES = 1L << 20;
    /** ... for at most this long (5 s), then answer with {@code Connection: close}. */
    static final long BEFORE_ANSWER_MS = 5_000;
    /** After answering: let a client send up to 4 MiB more, then close the connection. */
    static final long AFTER_ANSWER_BYTES = 4L << 20;

    private BodyDrainer() {
    }

    /** Drops the rest of the body, then runs {@code answer}; a body past the limits gets its answer with the connection closed. */
    static void thenAnswer(RoutingContext rc, Runnable answer) {
        HttpServerRequest req = rc.request();
        if (req.isEnded()) {
            answer.run();
            return;
        }
        boolean[] answered = {false};
        long[] seen = {0};
        long[] timer = {-1};
        Runnable once = () -> {
            if (!answered[0]) {
                answered[0] = true;
                rc.vertx().cancelTimer(timer[0]);
                answer.run();
            }
        };
        Runnable giveUp = () -> {
            rc.response().putHeader(HttpHeaders.CONNECTION, "close");
            once.run();
        };
        timer[0] = rc.vertx().setTimer(BEFORE_ANSWER_MS, id -> giveUp.run());
        req.handler(buf -> {
            seen[0] += buf.length();
            if (seen[0] > BEFORE_ANSWER_BYTES) {
                giveUp.run();
            }
        });
        req.endHandler(v -> once.run());
        req.exceptionHandler(e -> once.run());
        BodyInflow.start(req);
    }

    /** After an answer: lets the client finish sending a small body so it can read the answer; a large one is cut. */
    static void afterAnswer(HttpServerRequest req) {
        if (req.isEnded()) {
            return;
        }
        long[] seen = {0};
        req.handler(buf -> {
            seen[0] += buf.length();
            if (seen[0] > AFTER_ANSWER_BYTES) {
                req.handler(null);
                req.connection().close();
            }
        });
        req.exceptionHandler(err -> { });
        req.resume();
    }

    /** Whether {@code res} can still be answered (not ended, connection not closed). */
    static boolean open(HttpServerResponse res) {
        return !res.ended() && !res.closed();
    }
}
