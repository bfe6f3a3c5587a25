package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * The spool's disk and an owner's share of it. Once the free-space reserve gated only new
 * uploads: one already started wrote 115 MiB below it. Disk sizes here are set relative to
 * the free space the test finds, with margins far above what the test itself writes.
 */
class SpoolReserveTest extends FreshServerTest {

    private static final long MIB = 1L << 20;

    @Test
    void whatStartedUploadsMayStillWriteIsSpokenFor() throws Exception {
        long free = Files.getFileStore(dir).getUsableSpace();
        try (TestServer server = TestServer.start(dir.resolve("data"), "--min-free-spool-bytes", Long.toString(free - 1024 * MIB),
                "--spool-floor-bytes", "0")) {
            String cam = server.deviceToken("olga", "cam-1");
            assertThat(create(server, cam, 600 * MIB).statusCode()).isEqualTo(201);

            HttpResponse<Buffer> second = create(server, server.deviceToken("olga", "cam-2"), 600 * MIB);

            assertThat(second.statusCode()).as("the first upload's 600 MiB are promised: no room for 600 more").isEqualTo(503);
            assertThat(second.bodyAsString()).startsWith("ERR_SERVER_BUSY: ").contains("cannot hold");
            assertThat(second.getHeader("Retry-After")).isEqualTo("30");
        }
    }

    @Test
    void belowTheFloorStartedUploadsAreRefusedBytesAndKeepWhatTheyHave() throws Exception {
        long free = Files.getFileStore(dir).getUsableSpace();
        try (TestServer server = TestServer.start(dir.resolve("data"), "--min-free-spool-bytes", "0",
                "--spool-floor-bytes", Long.toString(free + (1L << 40)))) {
            String cam = server.deviceToken("olga", "cam-1");
            HttpResponse<Buffer> created = create(server, cam, 100);
            String path = created.getHeader("Location").substring(created.getHeader("Location").indexOf("/files/"));

            HttpResponse<Buffer> patch = TestServer.await(tus(server, HttpMethod.PATCH, path, cam).putHeader("Upload-Offset", "0")
                    .putHeader("Content-Type", "application/offset+octet-stream").sendBuffer(Buffer.buffer(new byte[10])));

            assertThat(patch.statusCode()).isEqualTo(507);
            assertThat(patch.bodyAsString()).startsWith("ERR_INSUFFICIENT_STORAGE: ");
            assertThat(patch.getHeader("Retry-After")).isNotNull();
            HttpResponse<Buffer> head = TestServer.await(tus(server, HttpMethod.HEAD, path, cam).send());
            assertThat(head.getHeader("Upload-Offset")).isEqualTo("0");
        }
    }

    @Test
    void oneOwnersUnfinishedUploadsHaveABudgetAcrossItsDevices() throws Exception {
        try (TestServer server = TestServer.start(dir.resolve("data"), "--max-owner-bytes-in-flight", "1000")) {
            assertThat(create(server, server.deviceToken("olga", "cam-1"), 600).statusCode()).isEqualTo(201);

            HttpResponse<Buffer> over = create(server, server.deviceToken("olga", "cam-2"), 600);

            assertThat(over.statusCode()).isEqualTo(429);
            assertThat(over.bodyAsString()).startsWith("ERR_OWNER_BYTES_IN_FLIGHT: ");
            assertThat(create(server, server.deviceToken("olga", "cam-2"), 300).statusCode()).isEqualTo(201);
            assertThat(create(server, server.deviceToken("ivan", "cam-1"), 900).statusCode()).as("another owner").isEqualTo(201);
        }
    }
}
