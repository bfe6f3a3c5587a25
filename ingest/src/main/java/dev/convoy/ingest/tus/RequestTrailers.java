package dev.convoy.ingest.tus;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * The trailer section of HTTP/1.1 chunked request bodies, which Vert.x's request API drops.
 * A Netty handler placed just before Vert.x's own on each connection keeps the trailers of
 * the last request body that passed it; they are read once the body has ended (the tus
 * {@code checksum-trailer} extension sends {@code Upload-Checksum} this way).
 */
public final class RequestTrailers {

    private static final String HANDLER = "convoy-request-trailers";
    /** Vert.x's HTTP/1.x connection handler in the channel pipeline. */
    private static final String VERTX_HANDLER = "handler";
    private static final AttributeKey<HttpHeaders> LAST = AttributeKey.valueOf("convoy.request-trailers");

    private RequestTrailers() {
    }

    /** Starts keeping trailers on a new connection; HTTP/2 connections are left alone. */
    public static void capture(HttpConnection connection) {
        Channel channel = channel(connection);
        if (channel == null) {
            return;
        }
        ChannelPipeline pipeline = channel.pipeline();
        if (pipeline.get(VERTX_HANDLER) != null && pipeline.get(HANDLER) == null) {
            pipeline.addBefore(VERTX_HANDLER, HANDLER, new Keeper());
        }
    }

    /** Whether trailers are being kept for the connection of {@code req}. */
    static boolean captured(HttpServerRequest req) {
        Channel channel = channel(req.connection());
        return channel != null && channel.pipeline().get(HANDLER) != null;
    }

    /** A trailer of the request body that has just ended, or null when it sent none by that name. */
    static String get(HttpServerRequest req, String name) {
        Channel channel = channel(req.connection());
        HttpHeaders trailers = channel == null ? null : channel.attr(LAST).get();
        return trailers == null ? null : trailers.get(name);
    }

    private static Channel channel(HttpConnection connection) {
        return connection instanceof ConnectionBase base ? base.channel() : null;
    }

    /** Runs on the connection's event loop, before Vert.x sees each message. */
    private static final class Keeper extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                // A new request: the previous body's trailers are no longer its own.
                ctx.channel().attr(LAST).set(null);
            }
            if (msg instanceof LastHttpContent last && !last.trailingHeaders().isEmpty()) {
                ctx.channel().attr(LAST).set(last.trailingHeaders().copy());
            }
            ctx.fireChannelRead(msg);
        }
    }
}
