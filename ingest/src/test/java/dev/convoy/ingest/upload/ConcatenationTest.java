package dev.convoy.ingest.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ConcatenationTest extends TusTestBase {

    @Test
    void aFinalUploadCreatedBeforeItsPartsFinishIsJoinedWhenTheyDo() throws Exception {
        Buffer a = bytes(700, 40);
        Buffer b = bytes(500, 41);
        String partA = createPartial(700);
        String partB = createPartial(500);
        send(patch(partA, 0), a.slice(0, 300));

        HttpResponse<Buffer> fin = send(tus(HttpMethod.POST, "/files/")
                .putHeader("Upload-Concat", "final;/files/" + partA + " " + server.baseUrl() + "/files/" + partB)
                .putHeader("Upload-Metadata", "filename " + b64("joined.mp4")));
        assertThat(fin.statusCode()).isEqualTo(201);
        String finalId = fin.getHeader("Location").substring(fin.getHeader("Location").lastIndexOf('/') + 1);

        HttpResponse<Buffer> unfinished = send(tus(HttpMethod.HEAD, "/files/" + finalId));
        assertThat(unfinished.getHeader("Upload-Concat")).isEqualTo("final;/files/" + partA + " /files/" + partB);
        assertThat(unfinished.getHeader("Upload-Offset")).as("no offset before the parts are joined").isNull();
        assertError(send(patch(finalId, 0), bytes(10, 1)), 403, "ERR_MODIFY_FINAL");

        send(patch(partA, 300), a.slice(300, 700));
        send(patch(partB, 0), b);

        HttpResponse<Buffer> joined = send(tus(HttpMethod.HEAD, "/files/" + finalId));
        assertThat(joined.getHeader("Upload-Length")).isEqualTo("1200");
        assertThat(joined.getHeader("Upload-Offset")).isEqualTo("1200");
        assertThat(send(tus(HttpMethod.HEAD, "/files/" + partA)).statusCode()).as("a joined part is spent and deleted").isEqualTo(404);
        assertThat(spool(partA)).doesNotExist();

        byte[] expected = Buffer.buffer().appendBuffer(a).appendBuffer(b).getBytes();
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(expected));
        assertThat(waitForSha(finalId)).isEqualTo(sha);
    }

    @Test
    void aFinalUploadOfFinishedPartsIsCompleteAtOnce() throws Exception {
        String part = createPartial(100);
        send(patch(part, 0), bytes(100, 42));
        HttpResponse<Buffer> fin = send(tus(HttpMethod.POST, "/files/").putHeader("Upload-Concat", "final;/files/" + part));
        assertThat(fin.statusCode()).isEqualTo(201);
        assertThat(fin.getHeader("Upload-Length")).isEqualTo("100");
    }

    @Test
    void aFinalUploadMayOnlyJoinPartialUploadsOfTheSameOwner() throws Exception {
        String plain = create(100);
        assertError(send(tus(HttpMethod.POST, "/files/").putHeader("Upload-Concat", "final;/files/" + plain)),
                400, "ERR_INVALID_CONCAT");
        String bobsPart = send(tus(HttpMethod.POST, "/files/").bearerTokenAuthentication(server.deviceToken("bob", "cam-1"))
                .putHeader("Upload-Length", "10").putHeader("Upload-Concat", "partial")).getHeader("Location");
        assertError(send(tus(HttpMethod.POST, "/files/").putHeader("Upload-Concat", "final;" + bobsPart)),
                400, "ERR_INVALID_CONCAT");
    }

    @Test
    void aPartIsJoinedOnceAndNamedOnce() throws Exception {
        // One 1 MiB part named 64 times once made a 64 MiB upload out of a 16 KiB header.
        String part = createPartial(1 << 20);
        send(patch(part, 0), bytes(1 << 20, 43));
        String sixtyFourTimes = ("/files/" + part + " ").repeat(64).trim();
        assertError(send(tus(HttpMethod.POST, "/files/").putHeader("Upload-Concat", "final;" + sixtyFourTimes)),
                400, "ERR_INVALID_CONCAT");

        String waiting = createPartial(100);
        HttpResponse<Buffer> first = send(tus(HttpMethod.POST, "/files/").putHeader("Upload-Concat", "final;/files/" + waiting));
        assertThat(first.statusCode()).isEqualTo(201);
        HttpResponse<Buffer> second = send(tus(HttpMethod.POST, "/files/").putHeader("Upload-Concat", "final;/files/" + waiting));
        assertError(second, 400, "ERR_INVALID_CONCAT");
        assertThat(second.bodyAsString()).contains("already joins");
    }

    @Test
    void aCompletePartThatNoFinalJoinsStillExpires() throws Exception {
        String part = createPartial(10);
        send(patch(part, 0), bytes(10, 44));
        HttpResponse<Buffer> head = send(tus(HttpMethod.HEAD, "/files/" + part));
        assertThat(head.getHeader("Upload-Offset")).isEqualTo("10");
        assertThat(head.getHeader("Upload-Expires")).as("complete but unused: it still expires").isNotNull();
    }

    private static String createPartial(long length) throws Exception {
        HttpResponse<Buffer> res = send(tus(HttpMethod.POST, "/files/").putHeader("Upload-Length", Long.toString(length))
                .putHeader("Upload-Concat", "partial"));
        assertThat(res.statusCode()).isEqualTo(201);
        return res.getHeader("Location").substring(res.getHeader("Location").lastIndexOf('/') + 1);
    }

    /** The committed clip's SHA-256 (the joined bytes are not a video: the clip ends failed, its original kept). */
    private static String waitForSha(String clipId) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            HttpResponse<Buffer> res = send(web.getAbs(server.baseUrl() + "/api/clips/" + clipId).bearerTokenAuthentication(aliceCam));
            String sha = res.statusCode() == 200 ? res.bodyAsJsonObject().getString("sha256") : null;
            if (sha != null) {
                return sha;
            }
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
