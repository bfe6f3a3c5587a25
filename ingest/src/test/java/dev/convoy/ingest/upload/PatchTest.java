package dev.convoy.ingest.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class PatchTest extends TusTestBase {

    @Test
    void appendsChunksAndAcknowledgesEachOffset() throws Exception {
        String id = create(3000);
        Buffer data = bytes(3000, 10);
        assertThat(send(patch(id, 0), data.slice(0, 1000)).getHeader("Upload-Offset")).isEqualTo("1000");
        assertThat(send(patch(id, 1000), data.slice(1000, 2500)).getHeader("Upload-Offset")).isEqualTo("2500");
        assertThat(Files.readAllBytes(spool(id))).isEqualTo(data.slice(0, 2500).getBytes());
        HttpResponse<Buffer> last = send(patch(id, 2500), data.slice(2500, 3000));
        assertThat(last.statusCode()).isEqualTo(204);
        assertThat(last.getHeader("Upload-Offset")).isEqualTo("3000");
        assertThat(offsetOf(id)).isEqualTo(3000);
    }

    @Test
    void verifiesChunkChecksumsAndDiscardsAChunkThatDoesNotMatch() throws Exception {
        String id = create(600);
        Buffer good = bytes(300, 30);
        HttpResponse<Buffer> ok = send(patch(id, 0).putHeader("Upload-Checksum", "sha1 " + digest("SHA-1", good)), good);
        assertThat(ok.statusCode()).isEqualTo(204);
        assertThat(ok.getHeader("Upload-Offset")).isEqualTo("300");

        Buffer corrupted = bytes(300, 31);
        HttpResponse<Buffer> bad = send(patch(id, 300).putHeader("Upload-Checksum", "sha256 " + digest("SHA-256", bytes(300, 32))),
                corrupted);
        assertError(bad, 460, "ERR_CHECKSUM_MISMATCH");
        assertThat(offsetOf(id)).isEqualTo(300);
        assertThat(Files.readAllBytes(spool(id))).isEqualTo(good.getBytes());

        HttpResponse<Buffer> retried = send(patch(id, 300).putHeader("Upload-Checksum", "md5 " + digest("MD5", corrupted)), corrupted);
        assertThat(retried.getHeader("Upload-Offset")).isEqualTo("600");
    }

    @Test
    void refusesUnknownChecksumAlgorithmsAndMalformedDigests() throws Exception {
        String id = create(100);
        assertError(send(patch(id, 0).putHeader("Upload-Checksum", "crc32 AAAA"), bytes(10, 1)), 400, "ERR_INVALID_CHECKSUM");
        assertError(send(patch(id, 0).putHeader("Upload-Checksum", "sha1 ***"), bytes(10, 1)), 400, "ERR_INVALID_CHECKSUM");
        assertError(send(patch(id, 0).putHeader("Upload-Checksum", "sha1"), bytes(10, 1)), 400, "ERR_INVALID_CHECKSUM");
        assertThat(offsetOf(id)).isZero();
    }

    @Test
    void refusesAnOverflowingOffset() throws Exception {
        String id = create(100);
        assertError(send(patch(id, 0).putHeader("Upload-Offset", "99999999999999999999"), bytes(10, 1)), 400, "ERR_INVALID_OFFSET");
    }

    @Test
    void idsThatAreNotUploadIdsAreNotFound() throws Exception {
        for (String path : List.of("/files/..%2F..%2Fetc%2Fpasswd", "/files/x.json")) {
            assertThat(send(patch("x", 0).method(HttpMethod.PATCH).uri(path), bytes(10, 1)).statusCode())
                    .as(path).isIn(400, 404);
        }
        // "/files/.." is "/", the web pages' address, which takes GET alone.
        assertThat(send(patch("x", 0).method(HttpMethod.PATCH).uri("/files/%2e%2e"), bytes(10, 1)).statusCode()).isEqualTo(405);
    }

    @Test
    void refusesAWrongContentType() throws Exception {
        String id = create(100);
        assertError(send(patch(id, 0).putHeader("Content-Type", "application/octet-stream"), bytes(10, 1)),
                415, "ERR_INVALID_CONTENT_TYPE");
        assertThat(offsetOf(id)).isZero();
    }

    @Test
    void refusesAMissingOrInvalidOffset() throws Exception {
        String id = create(100);
        assertError(send(patch(id, 0).putHeader("Upload-Offset", (String) null), bytes(10, 1)), 400, "ERR_INVALID_OFFSET");
        assertError(send(patch(id, 0).putHeader("Upload-Offset", "-1"), bytes(10, 1)), 400, "ERR_INVALID_OFFSET");
    }

    @Test
    void refusesAMismatchedOffsetAndKeepsTheUploadAsItWas() throws Exception {
        String id = create(1000);
        send(patch(id, 0), bytes(300, 1));
        HttpResponse<Buffer> res = send(patch(id, 100), bytes(300, 2));
        assertError(res, 409, "ERR_MISMATCHED_OFFSET");
        assertThat(res.bodyAsString()).contains("resume from 300");
        assertThat(offsetOf(id)).isEqualTo(300);
    }

    @Test
    void refusesAChunkPastUploadLengthWithoutWritingIt() throws Exception {
        String id = create(100);
        assertError(send(patch(id, 0), bytes(150, 1)), 413, "ERR_UPLOAD_SIZE_EXCEEDED");
        assertThat(offsetOf(id)).isZero();
        assertThat(Files.size(spool(id))).isZero();
    }

    @Test
    void unknownAndOtherOwnersUploadsAreNotFound() throws Exception {
        String id = create(100);
        assertError(send(patch("0123456789abcdef0123456789abcdef", 0), bytes(10, 1)), 404, "ERR_UPLOAD_NOT_FOUND");
        assertError(send(patch(id, 0).bearerTokenAuthentication(server.deviceToken("bob", "cam-9")), bytes(10, 1)),
                404, "ERR_UPLOAD_NOT_FOUND");
        assertThat(offsetOf(id)).isZero();
    }

    @Test
    void aFinishedUploadTakesNoMoreBytes() throws Exception {
        String id = create(50);
        assertThat(send(patch(id, 0), bytes(50, 1)).statusCode()).isEqualTo(204);
        assertError(send(patch(id, 50), bytes(10, 1)), 403, "ERR_UPLOAD_FINISHED");
    }

    @Test
    void aNewerRequestTakesOverWithoutInterleavingBytes() throws Exception {
        int length = 400_000;
        String id = create(length);
        byte[] original = bytes(length, 20).getBytes();
        try (Socket stalled = new Socket("127.0.0.1", server.port())) {
            OutputStream out = stalled.getOutputStream();
            String head = "PATCH /files/" + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
                    + "Authorization: Bearer " + aliceCam + "\r\nContent-Type: application/offset+octet-stream\r\n"
                    + "Upload-Offset: 0\r\nContent-Length: 300000\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(original, 0, 100_000);
            out.flush();
            waitForSpool(id, 100_000);

            // A second request (the camera reconnected) claims the upload from the start.
            HttpResponse<Buffer> takeover = send(patch(id, 0), bytes(300_000, 99));
            assertError(takeover, 409, "ERR_MISMATCHED_OFFSET");
            assertThat(takeover.bodyAsString()).contains("resume from 100000");

            InputStream in = stalled.getInputStream();
            stalled.setSoTimeout(5_000);
            assertThat(in.read()).as("the older request was ended").isEqualTo(-1);
        } catch (SocketException reset) {
            // A reset is an equally good way to end the older request.
        }
        assertThat(offsetOf(id)).isEqualTo(100_000);
        HttpResponse<Buffer> resumed = send(patch(id, 100_000), Buffer.buffer(Arrays.copyOfRange(original, 100_000, 300_000)));
        assertThat(resumed.getHeader("Upload-Offset")).isEqualTo("300000");
        assertThat(Files.readAllBytes(spool(id))).isEqualTo(Arrays.copyOf(original, 300_000));
    }

    private static String digest(String algorithm, Buffer data) throws Exception {
        return Base64.getEncoder().encodeToString(
                MessageDigest.getInstance(algorithm).digest(data.getBytes()));
    }

    private static void waitForSpool(String id, long size) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Files.size(spool(id)) < size) {
            assertThat(System.nanoTime()).as("spool reached %d bytes", size).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
