package dev.convoy.transcoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.convoy.transcoder.TranscodeResult.Rendition;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A pass over a clip whose upload is still arriving: read as it grows, the same renditions as from the whole file. */
class ArrivingPassTest {

    @TempDir
    Path dir;

    private static TestClips.Spec clip(String format) {
        return new TestClips.Spec(640, 360, 30, 6, 1_500_000, true, format, null, 0, false, 0, false);
    }

    /** Writes {@code source} into {@code spool} in {@code pieces}, {@code pauseMs} apart, acknowledging each; stops after {@code upTo} bytes. */
    private static Thread upload(Path source, Path spool, ArrivingSource arriving, int pieces, long pauseMs, long upTo,
                                 AtomicLong written) {
        Thread t = new Thread(() -> {
            try (InputStream in = Files.newInputStream(source); OutputStream out = Files.newOutputStream(spool)) {
                long size = Files.size(source);
                long piece = size / pieces + 1;
                long done = 0;
                while (done < Math.min(size, upTo)) {
                    byte[] bytes = in.readNBytes((int) Math.min(piece, upTo - done));
                    out.write(bytes);
                    out.flush();
                    done += bytes.length;
                    written.set(done);
                    arriving.grew(done, done == size);
                    Thread.sleep(pauseMs);
                }
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, "upload");
        t.start();
        return t;
    }

    private TranscodeJob job(Path source, String out) {
        return new TranscodeJob(source, dir.resolve(out), TranscodeJob.POSTER_MID_CLIP, RenditionSpec.defaults());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mpegts", "fmp4", "faststart", "matroska"})
    void aClipReadWhileItArrivesGetsWhatItsWholeFileGets(String format) throws Exception {
        Path source = TestClips.get(clip(format));
        TranscodeResult whole = new RenditionPipeline().run(job(source, "whole"));

        Path spool = dir.resolve("spool");
        ArrivingSource arriving = new ArrivingSource(spool, 0, Files.size(source), Duration.ofSeconds(10));
        AtomicLong written = new AtomicLong();
        AtomicLong writtenWhenProbed = new AtomicLong(-1);
        Thread uploading = upload(source, spool, arriving, 20, 40, Long.MAX_VALUE, written);
        TranscodeResult streamed = new RenditionPipeline().run(job(spool, "streamed"), new RenditionPipeline.Progress() {
            @Override
            public void probed(long durationMs) {
                writtenWhenProbed.set(written.get());
            }
        }, arriving);
        uploading.join();
        assertThat(Files.mismatch(source, spool)).isEqualTo(-1L);

        assertThat(writtenWhenProbed.get()).as("the pass began before the upload ended").isBetween(1L, Files.size(source) - 1);
        // The fragmented file's muxer keeps 179 of the 180 frames generated; whatever the file holds, both passes see all of it.
        assertThat(streamed.framesDecoded()).isEqualTo(whole.framesDecoded()).isBetween(179L, 180L);
        assertThat(streamed.facts().durationMs()).as("from its frames").isCloseTo(6_000L, within(100L));
        assertThat(streamed.facts().width()).isEqualTo(640);
        assertThat(streamed.facts().hasAudio()).isTrue();
        assertThat(streamed.renditions().stream().map(Rendition::role))
                .containsExactlyInAnyOrderElementsOf(whole.renditions().stream().map(Rendition::role).toList());
        assertThat(JpegSize.of(streamed.poster().file())).isEqualTo(JpegSize.of(whole.poster().file()));
        assertThat(tiles(streamed)).as("a tile a second, as for the whole file").isEqualTo(tiles(whole)).hasSize(6);
        assertThat(PreviewFacts.of(streamed.preview().file())).isEqualTo(PreviewFacts.of(whole.preview().file()));
        assertThat(streamed.preview().videoEncoder()).isEqualTo(whole.preview().videoEncoder());
    }

    /** The storyboard's cues but for the last one's end (the whole file's container counts its audio too). */
    private static List<String> tiles(TranscodeResult result) throws IOException {
        return Files.readAllLines(result.get("storyboard-vtt").file()).stream().filter(l -> l.contains("#xywh=")).toList();
    }

    @Test
    void aSmallClipArrivingIsCopiedOnceItsBitrateIsKnownAtItsEnd() throws Exception {
        // 640x360 at 460 kbit/s: what a copied preview is for (see CopiedPreviewTest), its bitrate known only when it ends.
        Path source = TestClips.get(new TestClips.Spec(640, 360, 30, 4, 640 * 360 * 2, true, "mpegts", null, 0, false, 0, false));
        Path spool = dir.resolve("spool");
        ArrivingSource arriving = new ArrivingSource(spool, 0, Files.size(source), Duration.ofSeconds(10));
        Thread uploading = upload(source, spool, arriving, 10, 30, Long.MAX_VALUE, new AtomicLong());
        TranscodeResult streamed = new RenditionPipeline().run(job(spool, "streamed"), RenditionPipeline.Progress.NONE, arriving);
        uploading.join();

        assertThat(streamed.preview().videoEncoder()).isEqualTo(CopiedPreview.COPY);
        assertThat(PreviewFacts.of(streamed.preview().file()).get("frames")).isEqualTo((int) streamed.framesDecoded()).isEqualTo(120);
        assertThat(streamed.facts().bitrate()).as("measured over its frames").isBetween(300_000L, 800_000L);
    }

    @Test
    void anArrivingClipsPicturesAreShownBeforeItsEndFirstAFirstFrameThenTheFinalOnes() throws Exception {
        Path source = TestClips.get(clip("mpegts"));
        Path spool = dir.resolve("spool");
        ArrivingSource arriving = new ArrivingSource(spool, 0, Files.size(source), Duration.ofSeconds(10));
        AtomicLong written = new AtomicLong();
        List<List<Rendition>> shown = new CopyOnWriteArrayList<>();
        List<Long> writtenWhenShown = new CopyOnWriteArrayList<>();
        Thread uploading = upload(source, spool, arriving, 20, 60, Long.MAX_VALUE, written);
        // An incident: the poster is the frame at its event, 2 s in.
        TranscodeJob job = new TranscodeJob(spool, dir.resolve("out"), 2_000, RenditionSpec.defaults());
        TranscodeResult result = new RenditionPipeline().run(job, new RenditionPipeline.Progress() {
            @Override
            public void stills(List<Rendition> made) {
                shown.add(made);
                writtenWhenShown.add(written.get());
            }
        }, arriving);
        uploading.join();

        assertThat(shown).hasSize(2);
        assertThat(writtenWhenShown).as("both before the last byte").allSatisfy(w -> assertThat(w).isLessThan(Files.size(source)));
        assertThat(shown.get(0)).extracting(Rendition::role).containsExactly("poster", "thumbnail", "thumbnail-webp");
        assertThat(shown.get(0).get(0).file().getParent().getFileName().toString()).as("the first set apart").isEqualTo("first");
        assertThat(shown.get(1)).as("then the final set, which the result names again").isEqualTo(
                result.renditions().stream().filter(r -> r.role().startsWith("poster") || r.role().startsWith("thumbnail")).toList());
        for (List<Rendition> set : shown) {
            for (Rendition r : set) {
                assertThat(Files.size(r.file())).as(r.file().toString()).isPositive();
            }
        }
    }

    /** An MPEG-TS clip of which half has arrived at {@code spool} and nothing more comes. */
    private static ArrivingSource halfArrived(Path spool, Duration stallAfter) throws Exception {
        Path source = TestClips.get(clip("mpegts"));
        ArrivingSource arriving = new ArrivingSource(spool, 0, Files.size(source), stallAfter);
        upload(source, spool, arriving, 10, 10, Files.size(source) / 2, new AtomicLong()).join();
        return arriving;
    }

    @Test
    void aPassWhoseUploadStopsSendingGivesUpAsStalled() throws Exception {
        Path spool = dir.resolve("spool");
        ArrivingSource arriving = halfArrived(spool, Duration.ofMillis(300));

        long start = System.nanoTime();
        assertThatThrownBy(() -> new RenditionPipeline().run(job(spool, "out"), RenditionPipeline.Progress.NONE, arriving))
                .isInstanceOfSatisfying(TranscodeException.class, e -> {
                    assertThat(e.reason()).isEqualTo(TranscodeException.STALLED);
                    assertThat(e.isYield()).isTrue();
                });
        assertThat(arriving.stalled()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("a bounded wait, not for ever").isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void aPassWhoseUploadGoesAwayStopsAsAbandoned() throws Exception {
        Path spool = dir.resolve("spool");
        ArrivingSource arriving = halfArrived(spool, Duration.ofMinutes(1));
        Thread leaving = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            arriving.abandon();
        });
        leaving.start();

        assertThatThrownBy(() -> new RenditionPipeline().run(job(spool, "out"), RenditionPipeline.Progress.NONE, arriving))
                .isInstanceOfSatisfying(TranscodeException.class, e -> assertThat(e.reason()).isEqualTo(TranscodeException.ABANDONED));
    }

    @Test
    void noiseThatArrivesIsRefusedAsNotAVideoNotAsStalled() throws Exception {
        Path source = dir.resolve("noise.bin");
        byte[] noise = new byte[256 * 1024];
        new Random(7).nextBytes(noise);
        Files.write(source, noise);
        Path spool = dir.resolve("spool");
        ArrivingSource arriving = new ArrivingSource(spool, 0, noise.length, Duration.ofSeconds(10));
        upload(source, spool, arriving, 4, 10, Long.MAX_VALUE, new AtomicLong()).join();

        assertThatThrownBy(() -> new RenditionPipeline().run(job(spool, "out"), RenditionPipeline.Progress.NONE, arriving))
                .isInstanceOfSatisfying(TranscodeException.class, e -> assertThat(e.isYield()).isFalse());
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({"mpegts, MPEG_TS", "matroska, MATROSKA", "fmp4, MP4_INDEX_FIRST", "faststart, MP4_INDEX_FIRST",
        "mp4, MP4_INDEX_LAST", "mov, MP4_INDEX_LAST"})
    void theLayoutIsToldFromTheFirstBytes(String format, ContainerLayout expected) throws Exception {
        byte[] head;
        try (InputStream in = Files.newInputStream(TestClips.get(clip(format)))) {
            head = in.readNBytes(64 * 1024);
        }
        assertThat(ContainerLayout.of(head, head.length, false)).isEqualTo(expected);
        assertThat(expected.readsFromFront()).isEqualTo(!format.equals("mp4") && !format.equals("mov"));
    }

    @Test
    void anMp4HeadTooShortToTellWaitsForMoreAndNoiseIsOther() {
        byte[] ftyp = {0, 0, 0, 32, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'};
        assertThat(ContainerLayout.of(ftyp, ftyp.length, false)).isEqualTo(ContainerLayout.NEED_MORE);
        assertThat(ContainerLayout.of(ftyp, ftyp.length, true)).isEqualTo(ContainerLayout.OTHER);
        byte[] noise = new byte[4096];
        new Random(3).nextBytes(noise);
        noise[4] = 'x';
        assertThat(ContainerLayout.of(noise, noise.length, false)).isEqualTo(ContainerLayout.OTHER);
        byte[] broken = {0, 0, 0, 3, 'f', 't', 'y', 'p', 0, 0, 0, 0, 0, 0, 0, 0};
        assertThat(ContainerLayout.of(broken, broken.length, false)).as("a box shorter than its header").isEqualTo(ContainerLayout.OTHER);
    }

    @Test
    void aStoryboardWithNoDurationDoublesItsIntervalToStayWithinItsTiles() {
        RenditionSpec spec = RenditionSpec.defaults();
        ProbeFacts facts = new ProbeFacts("mpegts", "h264", "High", 640, 360, 0, 30, false, 0, 0, false, null, 0, null);
        try (Storyboard board = Storyboard.plan(facts, 0, spec)) {
            Frame frame = Yuv420.allocate(640, 360);
            long seconds = spec.maxTiles() * 3L + 1;
            for (long s = 0; s < seconds; s++) {
                board.offer(frame, s * 1_000_000);
            }
            assertThat(board.intervalSeconds()).isEqualTo(4);
            assertThat(board.taken()).isLessThanOrEqualTo(spec.maxTiles()).isEqualTo((int) ((seconds + 3) / 4));
        }
    }
}
