package dev.convoy.ingest.upload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.ingest.TestServer;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * A request body's socket is stopped while nothing reads the body (the upload is looked up and
 * locked, or its batch waits for the disk) and read again when something does, or when the
 * request is answered: a kept-alive connection goes on to its next request either way.
 */
class BodyInflowTest extends TusTestBase {

    @Test
    void aKeptAliveConnectionServesTheNextRequestAfterARefusedBodyAndAfterAWrittenOne() throws Exception {
        String id = create(3000);
        byte[] data = bytes(3000, 7).getBytes();
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();

            // Refused with its body unread: the socket is read again to drop the body, then answered.
            byte[] wrong = bytes(200_000, 8).getBytes();
            out.write(patchHead(id, 1000, wrong.length).getBytes(StandardCharsets.US_ASCII));
            out.write(wrong);
            out.flush();
            Reply refused = read(in);
            assertThat(refused.status()).as(refused.body()).isEqualTo(409);
            assertThat(refused.body()).startsWith("ERR_MISMATCHED_OFFSET: ");

            // The same connection then writes a chunk, and is answered once more after it.
            out.write(patchHead(id, 0, 2000).getBytes(StandardCharsets.US_ASCII));
            out.write(data, 0, 2000);
            out.flush();
            Reply written = read(in);
            assertThat(written.status()).as(written.body()).isEqualTo(204);
            assertThat(written.header("upload-offset")).isEqualTo("2000");

            out.write(("HEAD /files/" + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
                    + "Authorization: Bearer " + aliceCam + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Reply head = readHead(in);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("upload-offset")).isEqualTo("2000");
        }
        assertThat(Files.readAllBytes(spool(id))).isEqualTo(Arrays.copyOf(data, 2000));
    }

    @Test
    void aBodyNothingReadsIsDroppedAfterTheAnswerAndTheConnectionGoesOn() throws Exception {
        String id = create(100);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            // A DELETE reads no body; this one comes chunked, in small chunks, after the headers.
            out.write(("DELETE /files/" + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
                    + "Authorization: Bearer " + aliceCam + "\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            StringBuilder chunks = new StringBuilder();
            for (int i = 0; i < 500; i++) {
                chunks.append("1\r\nx\r\n");
            }
            out.write((chunks + "0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Reply deleted = read(in);
            assertThat(deleted.status()).as(deleted.body()).isEqualTo(204);

            out.write(("HEAD /files/" + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
                    + "Authorization: Bearer " + aliceCam + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readHead(in).status()).as("the next request on the connection is answered").isEqualTo(404);
        }
    }

    @Test
    void manyUploadsSendingAtOnceEachEndByteIdentical() throws Exception {
        int uploads = 64;
        int size = 768 * 1024;
        WebClient wide = WebClient.create(vertx, new WebClientOptions(), new PoolOptions().setHttp1MaxSize(uploads));
        try {
            // Four cameras of one owner, each under its limit of unfinished uploads.
            List<String> cams = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                cams.add(server.deviceToken("alice", "inflow-cam-" + c));
            }
            List<String> ids = new ArrayList<>();
            List<Buffer> bodies = new ArrayList<>();
            for (int i = 0; i < uploads; i++) {
                HttpResponse<Buffer> created = send(web.requestAbs(HttpMethod.POST, server.baseUrl() + "/files/")
                        .putHeader("Tus-Resumable", "1.0.0")
                        .bearerTokenAuthentication(cams.get(i % cams.size()))
                        .putHeader("Upload-Length", Integer.toString(size))
                        .putHeader("Upload-Metadata", "filename " + b64("clip.mp4") + ",kind " + b64("manual")));
                assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
                String location = created.getHeader("Location");
                ids.add(location.substring(location.lastIndexOf('/') + 1));
                bodies.add(bytes(size, 100 + i));
            }
            List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
            for (int i = 0; i < uploads; i++) {
                sent.add(wide.requestAbs(HttpMethod.PATCH, server.baseUrl() + "/files/" + ids.get(i))
                        .putHeader("Tus-Resumable", "1.0.0")
                        .bearerTokenAuthentication(cams.get(i % cams.size()))
                        .putHeader("Content-Type", "application/offset+octet-stream")
                        .putHeader("Upload-Offset", "0")
                        .sendBuffer(bodies.get(i)));
            }
            for (int i = 0; i < uploads; i++) {
                HttpResponse<Buffer> res = TestServer.await(sent.get(i));
                assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(204);
                assertThat(res.getHeader("Upload-Offset")).isEqualTo(Integer.toString(size));
                assertThat(Files.readAllBytes(spool(ids.get(i)))).as("upload %d", i).isEqualTo(bodies.get(i).getBytes());
            }
        } finally {
            wide.close();
        }
    }

    /** A parsed HTTP/1.1 response. */
    record Reply(int status, String headers, String body) {
        String header(String name) {
            for (String line : headers.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    private static String patchHead(String id, long offset, int length) {
        return "PATCH /files/" + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
                + "Authorization: Bearer " + aliceCam + "\r\nContent-Type: application/offset+octet-stream\r\n"
                + "Upload-Offset: " + offset + "\r\nContent-Length: " + length + "\r\n\r\n";
    }

    /** One response and its Content-Length body, leaving the connection open. */
    private static Reply read(InputStream in) throws Exception {
        Reply head = readHead(in);
        String length = head.header("content-length");
        int n = length == null ? 0 : Integer.parseInt(length);
        byte[] body = in.readNBytes(n);
        return new Reply(head.status(), head.headers(), new String(body, StandardCharsets.UTF_8));
    }

    /** The status line and headers of one response (a HEAD's, or the start of any other). */
    private static Reply readHead(InputStream in) throws Exception {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            assertThat(b).as("the connection stays open for the answer").isNotEqualTo(-1);
            seen.write(b);
            String text = seen.toString(StandardCharsets.ISO_8859_1);
            if (text.endsWith("\r\n\r\n")) {
                String status = text.substring(0, text.indexOf("\r\n"));
                return new Reply(Integer.parseInt(status.split(" ")[1]), text, "");
            }
        }
    }
}
