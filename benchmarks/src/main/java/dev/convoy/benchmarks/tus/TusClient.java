package dev.convoy.benchmarks.tus;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A tus 1.0 client on the Vert.x HTTP client, shared by the fleet simulator and the load
 * benchmarks. Every call returns a {@link Future} and nothing blocks: create an upload, PATCH
 * it from an offset, ask its offset with HEAD and resume from there, terminate it.
 *
 * <p>A call succeeds only on the status tus gives for success; any other answer fails it with a
 * {@link TusException} that carries the status. A failure on the way (connection refused, reset,
 * cut off by the {@link Link}) fails it with the transport's own exception.
 */
public final class TusClient {

    /** The protocol version every request names. */
    public static final String TUS_RESUMABLE = "1.0.0";

    private static final long CONNECT_TIMEOUT_MS = 30_000;
    // A PATCH on a slow link can take a minute; an idle connection for longer than this is dead.
    private static final long IDLE_TIMEOUT_MS = 90_000;

    private final HttpClient http;
    private final URI creationUrl;
    private final String token;
    private final Link link;

    /**
     * @param http        the client requests go through (its pool bounds the connections)
     * @param creationUrl the server's tus endpoint, e.g. {@code http://localhost:8080/files/}
     * @param token       sent as {@code Authorization: Bearer}; {@code null} sends none
     * @param link        when requests may go and how bodies are written; {@link Link#direct()} for loopback
     */
    public TusClient(HttpClient http, String creationUrl, String token, Link link) {
        this.http = http;
        this.creationUrl = URI.create(creationUrl);
        this.token = token;
        this.link = link;
    }

    /** A client whose requests go straight to the server. */
    public TusClient(HttpClient http, String creationUrl, String token) {
        this(http, creationUrl, token, Link.direct());
    }

    /** An upload the server knows: its URL, and the offset it has acknowledged. */
    public record Upload(String url, long offset) {

        /** The upload's id: the last segment of its URL. */
        public String id() {
            return url.substring(url.lastIndexOf('/') + 1);
        }
    }

    /** Called for each acknowledged PATCH: the offsets it went from and to, and how long it took. */
    @FunctionalInterface
    public interface ChunkListener {

        ChunkListener NONE = (from, to, nanos) -> { };

        void acknowledged(long from, long to, long nanos);
    }

    /**
     * POST: a new upload of {@code length} bytes with {@code metadata} (sent in its order as
     * {@code Upload-Metadata}). A server that already has the upload (Convoy knows a clip by its
     * {@code clientClipId}) answers 200 with the offset it holds; a new one answers 201, offset 0.
     */
    public Future<Upload> create(long length, Map<String, String> metadata) {
        RequestOptions request = request(HttpMethod.POST, creationUrl.toString())
                .putHeader("Upload-Length", Long.toString(length));
        if (!metadata.isEmpty()) {
            request.putHeader("Upload-Metadata", metadata(metadata));
        }
        return send(request, null).map(res -> {
            if (res.status() != 201 && res.status() != 200) {
                throw res.unexpected();
            }
            String location = res.header("Location");
            if (location == null) {
                throw new TusException(HttpMethod.POST, creationUrl.toString(), res.status(), "no Location header");
            }
            String offset = res.header("Upload-Offset");
            return new Upload(creationUrl.resolve(location).toString(), offset == null ? 0 : Long.parseLong(offset));
        });
    }

    /** PATCH: {@code chunk} at {@code offset}; answers the offset the server acknowledged (durable) after it. */
    public Future<Long> patch(String url, long offset, Buffer chunk) {
        RequestOptions request = request(HttpMethod.PATCH, url)
                .putHeader("Upload-Offset", Long.toString(offset))
                .putHeader("Content-Type", "application/offset+octet-stream");
        return send(request, chunk).map(res -> {
            if (res.status() != 204) {
                throw res.unexpected();
            }
            return res.offset();
        });
    }

    /** HEAD: the offset the server holds for the upload, which is where a client resumes. */
    public Future<Long> offset(String url) {
        return send(request(HttpMethod.HEAD, url), null).map(res -> {
            if (res.status() != 200) {
                throw res.unexpected();
            }
            return res.offset();
        });
    }

    /** DELETE (the termination extension): the server drops the upload and its bytes. */
    public Future<Void> terminate(String url) {
        return send(request(HttpMethod.DELETE, url), null).map(res -> {
            if (res.status() != 204) {
                throw res.unexpected();
            }
            return null;
        });
    }

    /**
     * PATCHes {@code bytes} from {@code offset} to their end, {@code chunkBytes} at a time, each
     * from the offset the server acknowledged for the one before; answers the final offset.
     * Fails at the first PATCH that fails; what the server acknowledged until then is kept.
     */
    public Future<Long> upload(String url, long offset, Buffer bytes, int chunkBytes, ChunkListener listener) {
        if (offset >= bytes.length()) {
            return Future.succeededFuture(offset);
        }
        int end = (int) Math.min(bytes.length(), offset + chunkBytes);
        long start = System.nanoTime();
        return patch(url, offset, bytes.slice((int) offset, end)).compose(acked -> {
            listener.acknowledged(offset, acked, System.nanoTime() - start);
            return upload(url, acked, bytes, chunkBytes, listener);
        });
    }

    /** What a tus client does after a failure: HEAD for the server's offset, then PATCH the rest from there. */
    public Future<Long> resume(String url, Buffer bytes, int chunkBytes, ChunkListener listener) {
        return offset(url).compose(at -> upload(url, at, bytes, chunkBytes, listener));
    }

    /** {@code Upload-Metadata}: each pair as the key, a space and the value in Base64, comma-separated. */
    public static String metadata(Map<String, String> pairs) {
        List<String> encoded = new ArrayList<>();
        pairs.forEach((key, value) -> encoded.add(key + " "
                + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))));
        return String.join(",", encoded);
    }

    private RequestOptions request(HttpMethod method, String url) {
        RequestOptions request = new RequestOptions().setMethod(method).setAbsoluteURI(url)
                .putHeader("Tus-Resumable", TUS_RESUMABLE)
                .setConnectTimeout(CONNECT_TIMEOUT_MS).setIdleTimeout(IDLE_TIMEOUT_MS);
        if (token != null) {
            request.putHeader("Authorization", "Bearer " + token);
        }
        return request;
    }

    /** One request after the link's delay, its body (if any) written by the link; the answer's body is read whole. */
    private Future<Answer> send(RequestOptions request, Buffer body) {
        return link.beforeRequest().compose(v -> http.request(request)).compose(req -> {
            Future<Answer> answer = req.response().compose(res -> res.body().map(b -> new Answer(req, res, b)));
            if (body == null) {
                req.end();
                return answer;
            }
            req.putHeader("Content-Length", Integer.toString(body.length()));
            return link.send(req, body).compose(v -> answer);
        });
    }

    /** A response's status and headers, with its (small) body for the message of a failure. */
    private record Answer(HttpClientRequest request, HttpClientResponse response, Buffer body) {

        int status() {
            return response.statusCode();
        }

        String header(String name) {
            return response.getHeader(name);
        }

        long offset() {
            String offset = header("Upload-Offset");
            if (offset == null) {
                throw new TusException(request.getMethod(), request.absoluteURI(), status(), "no Upload-Offset header");
            }
            return Long.parseLong(offset);
        }

        TusException unexpected() {
            String text = body.length() > 300 ? body.getString(0, 300) + "..." : body.toString();
            return new TusException(request.getMethod(), request.absoluteURI(), status(), text);
        }
    }
}
