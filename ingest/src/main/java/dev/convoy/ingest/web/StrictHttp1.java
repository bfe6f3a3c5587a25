package dev.convoy.ingest.web;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/1.1 framing that refuses ambiguity (RFC 9112, section 6.3). A request whose body two
 * parties could frame differently is what request smuggling is made of: {@code Transfer-Encoding}
 * beside {@code Content-Length} (a proxy that frames by the length reads another body than we
 * do), a {@code Transfer-Encoding} other than {@code chunked} alone (no other coding is
 * understood here, and a list parsed two ways frames two ways), or any {@code Transfer-Encoding}
 * in an HTTP/1.0 request. Netty's decoder
 * would drop the length, or read no body, and go on; this one fails the request, so it is
 * answered {@code 400} and the connection closed.
 */
public final class StrictHttp1 {

    /** The stable error code of a request framed by both headers. */
    public static final String AMBIGUOUS_FRAMING = "ERR_AMBIGUOUS_FRAMING";

    private static final Logger LOG = LoggerFactory.getLogger(StrictHttp1.class);
    private static final AtomicBoolean MISSING_REPORTED = new AtomicBoolean();

    /** The name Vert.x gives its request decoder in an HTTP/1.x pipeline. */
    private static final String DECODER = "httpDecoder";

    private StrictHttp1() {
    }

    /**
     * Swaps Vert.x's request decoder of a new HTTP/1.x connection for the strict one, before it
     * has read a byte; HTTP/2 connections (which have no such decoder) are left alone.
     */
    public static void install(HttpConnection connection, HttpServerOptions options) {
        if (!(connection instanceof ConnectionBase base)) {
            return;
        }
        ChannelPipeline pipeline = base.channel().pipeline();
        if (pipeline.get(DECODER) instanceof VertxHttpRequestDecoder current) {
            if (!(current instanceof Decoder)) {
                pipeline.replace(DECODER, DECODER, new Decoder(options));
            }
        } else if (!MISSING_REPORTED.getAndSet(true)) {
            // Vert.x's HTTP/1 pipeline changed under us: say so once, loudly, rather than serve unguarded.
            LOG.error("event=strict_http1_not_installed reason=\"no Vert.x request decoder named {} in the connection's"
                    + " pipeline\" effect=\"requests framed two ways are not refused\"", DECODER);
        }
    }

    /**
     * Answers a request the decoder could not accept: a body framed two ways gets {@code 400} with a
     * stable code and a sentence; anything else gets Vert.x's own answer (400, 414 or 431). The
     * connection is closed either way, since where the next request starts is unknown.
     */
    public static void invalidRequest(HttpServerRequest req) {
        if (!(req.decoderResult().cause() instanceof AmbiguousFraming)) {
            HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(req);
            return;
        }
        LOG.info("event=request_refused reason=ambiguous_framing method={} path={}", req.method(), req.path());
        req.response().setStatusCode(400)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(AMBIGUOUS_FRAMING + ": The request body's length is ambiguous: send either Content-Length or"
                        + " Transfer-Encoding: chunked (HTTP/1.1), not both, and no other transfer coding.")
                .onComplete(done -> req.connection().close());
    }

    /** Vert.x's decoder, but a body framed two ways is an invalid request. */
    private static final class Decoder extends VertxHttpRequestDecoder {
        Decoder(HttpServerOptions options) {
            super(options);
        }

        /** Called once the headers are read, before the body's framing is chosen: the place to refuse it. */
        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage message) {
            if (message != null && message.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
                boolean http10 = message.protocolVersion().majorVersion() == 1 && message.protocolVersion().minorVersion() == 0;
                if (http10 || message.headers().contains(HttpHeaderNames.CONTENT_LENGTH) || !onlyChunked(message)) {
                    throw new AmbiguousFraming();
                }
            }
            return super.isContentAlwaysEmpty(message);
        }

        @Override
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            throw new AmbiguousFraming();
        }

        /**
         * Whether {@code chunked} is the one transfer coding, over every {@code Transfer-Encoding}
         * line, and Netty reads it so too: another coding would reach the upload as its bytes, and
         * a list Netty does not parse as we do (a tab after a comma) would be framed two ways.
         */
        private static boolean onlyChunked(HttpMessage message) {
            List<String> codings = message.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING).stream()
                    .flatMap(line -> Arrays.stream(line.split(",", -1))).map(String::strip).toList();
            return codings.size() == 1 && codings.get(0).equalsIgnoreCase("chunked") && HttpUtil.isTransferEncodingChunked(message);
        }
    }

    /** Why the decoder failed a request framed by both headers. */
    private static final class AmbiguousFraming extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        AmbiguousFraming() {
            super("Content-Length and Transfer-Encoding both frame the body", null);
        }
    }
}
