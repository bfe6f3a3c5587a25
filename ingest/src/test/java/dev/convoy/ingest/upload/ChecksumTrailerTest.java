package dev.convoy.ingest.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * checksum-trailer: {@code Upload-Checksum} sent after a chunked body. No Java HTTP client
 * sends request trailers, so these requests are written on a plain socket, byte for byte as
 * a camera's HTTP stack would.
 */
class ChecksumTrailerTest extends TusTestBase {

    /** A parsed HTTP/1.1 response. */
    record Reply(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    @Test
    void aChunkWhoseTrailerMatchesIsKept() throws Exception {
        String id = create(70_000);
        byte[] data = bytes(70_000, 41).getBytes();
        Reply reply = patchChunked(id, 0, data, "Trailer: Upload-Checksum\r\n", "Upload-Checksum: sha256 " + digest("SHA-256", data));
        assertThat(reply.status()).as(reply.body()).isEqualTo(204);
        assertThat(reply.header("Upload-Offset")).isEqualTo("70000");
        assertThat(Files.readAllBytes(spool(id))).isEqualTo(data);
    }

    @Test
    void everyAdvertisedAlgorithmWorksAsATrailer() throws Exception {
        byte[] data = bytes(1_000, 42).getBytes();
        for (String[] alg : new String[][] {{"sha1", "SHA-1"}, {"md5", "MD5"}, {"sha256", "SHA-256"}}) {
            String id = create(1_000);
            Reply reply = patchChunked(id, 0, data, "Trailer: Upload-Checksum\r\n", "Upload-Checksum: " + alg[0] + " " + digest(alg[1], data));
            assertThat(reply.status()).as(alg[0] + ": " + reply.body()).isEqualTo(204);
        }
    }

    @Test
    void aChunkWhoseTrailerDoesNotMatchIsDiscarded() throws Exception {
        String id = create(2_000);
        byte[] first = bytes(1_000, 43).getBytes();
        assertThat(patchChunked(id, 0, first, "Trailer: Upload-Checksum\r\n", "Upload-Checksum: sha1 " + digest("SHA-1", first))
                .status()).isEqualTo(204);

        byte[] second = bytes(1_000, 44).getBytes();
        byte[] other = bytes(1_000, 45).getBytes();
        Reply bad = patchChunked(id, 1_000, second, "Trailer: Upload-Checksum\r\n", "Upload-Checksum: sha1 " + digest("SHA-1", other));
        assertReply(bad, 460, "ERR_CHECKSUM_MISMATCH");
        assertThat(offsetOf(id)).isEqualTo(1_000);
        assertThat(Files.readAllBytes(spool(id))).isEqualTo(first);

        // The whole upload's SHA-256 still covers exactly the kept bytes: finishing it works as if nothing happened.
        Reply retried = patchChunked(id, 1_000, second, "Trailer: Upload-Checksum\r\n", "Upload-Checksum: sha1 " + digest("SHA-1", second));
        assertThat(retried.header("Upload-Offset")).isEqualTo("2000");
    }

    @Test
    void anAnnouncedTrailerThatNeverComesDiscardsTheChunk() throws Exception {
        String id = create(1_000);
        Reply reply = patchChunked(id, 0, bytes(1_000, 46).getBytes(), "Trailer: Upload-Checksum\r\n", null);
        assertReply(reply, 400, "ERR_CHECKSUM_TRAILER_MISSING");
        assertThat(offsetOf(id)).isZero();
        assertThat(Files.size(spool(id))).isZero();
    }

    @Test
    void refusesMalformedTrailersAndAmbiguousOrUnchunkedRequests() throws Exception {
        String id = create(1_000);
        byte[] data = bytes(100, 47).getBytes();
        assertReply(patchChunked(id, 0, data, "Trailer: Upload-Checksum\r\n", "Upload-Checksum: crc32 AAAA"), 400, "ERR_INVALID_CHECKSUM");
        assertReply(patchChunked(id, 0, data, "Trailer: Upload-Checksum\r\n", "Upload-Checksum: sha1 ***"), 400, "ERR_INVALID_CHECKSUM");
        assertReply(patchChunked(id, 0, data, "Trailer: Upload-Checksum\r\nUpload-Checksum: sha1 " + digest("SHA-1", data) + "\r\n",
                "Upload-Checksum: sha1 " + digest("SHA-1", data)), 400, "ERR_INVALID_CHECKSUM");
        Reply unchunked = exchange(head(id, 0, "Trailer: Upload-Checksum\r\nContent-Length: 100\r\n"), data);
        assertReply(unchunked, 400, "ERR_INVALID_CHECKSUM");
        assertThat(unchunked.body()).contains("chunked");
        assertThat(offsetOf(id)).isZero();
        assertThat(Files.size(spool(id))).isZero();
    }

    @Test
    void aTrailerThatIsNotAnnouncedIsIgnoredAndOtherTrailersDoNotMatter() throws Exception {
        String id = create(200);
        byte[] data = bytes(100, 48).getBytes();
        // Without 'Trailer: Upload-Checksum' the chunk was not sent as a checksummed one.
        Reply plain = patchChunked(id, 0, data, "", "X-Camera-Temp: 41");
        assertThat(plain.status()).as(plain.body()).isEqualTo(204);
        Reply listed = patchChunked(id, 100, data, "Trailer: X-Camera-Temp, upload-checksum\r\n",
                "X-Camera-Temp: 41\r\nupload-checksum: md5 " + digest("MD5", data));
        assertThat(listed.status()).as(listed.body()).isEqualTo(204);
        assertThat(listed.header("Upload-Offset")).isEqualTo("200");
    }

    private Reply patchChunked(String id, long offset, byte[] data, String extraHeaders, String trailers) throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        // Two chunks of uneven size, as a streaming client would send them.
        int split = data.length / 3;
        for (int[] range : new int[][] {{0, split}, {split, data.length}}) {
            int length = range[1] - range[0];
            body.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            body.write(data, range[0], length);
            body.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.write("0\r\n".getBytes(StandardCharsets.US_ASCII));
        if (trailers != null) {
            body.write((trailers + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        body.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        return exchange(head(id, offset, extraHeaders + "Transfer-Encoding: chunked\r\n"), body.toByteArray());
    }

    private static String head(String id, long offset, String extraHeaders) {
        return "PATCH /files/" + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
                + "Authorization: Bearer " + aliceCam + "\r\nContent-Type: application/offset+octet-stream\r\n"
                + "Upload-Offset: " + offset + "\r\n" + extraHeaders + "Connection: close\r\n\r\n";
    }

    private static Reply exchange(String head, byte[] body) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            String raw = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            int end = raw.indexOf("\r\n\r\n");
            String[] lines = raw.substring(0, end).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            return new Reply(Integer.parseInt(lines[0].split(" ")[1]), headers, raw.substring(end + 4));
        }
    }

    private static void assertReply(Reply reply, int status, String code) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.body()).startsWith(code + ": ");
    }

    private static String digest(String algorithm, byte[] data) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance(algorithm).digest(data));
    }
}
