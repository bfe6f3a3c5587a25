package dev.convoy.ingest.web;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.net.impl.ConnectionBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/1.1 framing that refuses ambiguity. A request carrying both {@code Content-Length} and
 * {@code Transfer-Encoding} is what request smuggling looks like behind a proxy that frames by
 * the length: Netty's decoder would drop the length and go on; this one fails the request, so
 * Vert.x answers {@code 400} and closes the connection (RFC 9112, section 6.3).
 */
public final class StrictHttp1 {

    /** The stable error code of a request framed by both headers. */
    public static final String AMBIGUOUS_FRAMING = "ERR_AMBIGUOUS_FRAMING";

    private static final Logger LOG = LoggerFactory.getLogger(StrictHttp1.class);

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
        if (pipeline.get(DECODER) instanceof VertxHttpRequestDecoder current && !(current instanceof Decoder)) {
            pipeline.replace(DECODER, DECODER, new Decoder(options));
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
                .end(AMBIGUOUS_FRAMING + ": The request has both Content-Length and Transfer-Encoding; send only one of them.")
                .onComplete(done -> req.connection().close());
    }

    /** Vert.x's decoder, but a body framed two ways is an invalid request. */
    private static final class Decoder extends VertxHttpRequestDecoder {
        Decoder(HttpServerOptions options) {
            super(options);
        }

        @Override
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            throw new AmbiguousFraming();
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
