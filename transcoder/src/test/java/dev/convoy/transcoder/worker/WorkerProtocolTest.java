package dev.convoy.transcoder.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convoy.transcoder.ProbeFacts;
import dev.convoy.transcoder.RenditionSpec;
import dev.convoy.transcoder.RenditionSpec.ClipLimits;
import dev.convoy.transcoder.RenditionSpec.PreviewSpec;
import dev.convoy.transcoder.TranscodeException;
import dev.convoy.transcoder.TranscodeJob;
import dev.convoy.transcoder.TranscodeResult;
import dev.convoy.transcoder.TranscodeResult.Rendition;
import dev.convoy.transcoder.worker.WorkerProtocol.KillReason;
import dev.convoy.transcoder.worker.WorkerProtocol.Message;
import dev.convoy.transcoder.worker.WorkerProtocol.Verb;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerProtocolTest {

    @Test
    void everyVerbIsItsLowercaseNameOnTheWire() {
        assertThat(List.of(Verb.values())).extracting(Verb::wireName)
                .containsExactly("ready", "job", "more", "probed", "stills", "heartbeat", "done", "failed", "quit");
        assertThat(List.of(KillReason.values())).extracting(KillReason::logName)
                .containsExactly("deadline", "silent", "unwritable");
    }

    @Test
    void aJobCrossesWithItsWholeSpec() {
        RenditionSpec spec = RenditionSpec.defaults().withThreads(3)
                .withPreviews(List.of(RenditionSpec.MAIN_PREVIEW, PreviewSpec.parse("preview-480=480p@900k")))
                .withLimits(new ClipLimits(1920, 1080, 600_000, 60.0))
                .withSinks(List.of("previews", "stills"));
        TranscodeJob job = new TranscodeJob(Path.of("/spool/a b%c.mp4"), Path.of("/work/7"), 4_250, spec);

        String line = WorkerProtocol.job("7", job);
        Message m = WorkerProtocol.parse(line);

        assertThat(line).startsWith("job ").doesNotContain("\n");
        assertThat(m.verb()).isEqualTo(Verb.JOB);
        assertThat(m.get("id")).isEqualTo("7");
        assertThat(WorkerProtocol.job(m)).isEqualTo(job);
    }

    @Test
    void aJobOverAClipStillArrivingCrossesWithWhereItsUploadStandsAndItsNewsFollows() {
        TranscodeJob job = new TranscodeJob(Path.of("/spool/a"), Path.of("/work/8"), TranscodeJob.POSTER_MID_CLIP, RenditionSpec.defaults());
        Message m = WorkerProtocol.parse(WorkerProtocol.job("8", job, new WorkerProtocol.Arriving(65_536, 9_000_000, 10_000)));

        assertThat(WorkerProtocol.job(m)).isEqualTo(job);
        assertThat(WorkerProtocol.arriving(m)).isEqualTo(new WorkerProtocol.Arriving(65_536, 9_000_000, 10_000));
        assertThat(WorkerProtocol.arriving(WorkerProtocol.parse(WorkerProtocol.job("8", job)))).as("a complete file").isNull();

        Message more = WorkerProtocol.parse(WorkerProtocol.more("8", 1_048_576, true));
        assertThat(more.verb()).isEqualTo(Verb.MORE);
        assertThat(more.getLong("length")).isEqualTo(1_048_576);
        assertThat(more.get("complete")).isEqualTo("true");
        assertThat(WorkerProtocol.parse(WorkerProtocol.abandoned("8")).get("abandoned")).isEqualTo("true");

        List<Rendition> pictures = List.of(new Rendition("poster", Path.of("/work/8/poster.jpg"), "image/jpeg", 1280, 720, null, 90_000),
                new Rendition("thumbnail", Path.of("/work/8/thumb.jpg"), "image/jpeg", 320, 180, null, 9_000));
        Message stills = WorkerProtocol.parse(WorkerProtocol.stills("8", pictures));
        assertThat(stills.verb()).isEqualTo(Verb.STILLS);
        assertThat(WorkerProtocol.renditions(stills)).isEqualTo(pictures);
    }

    @Test
    void aSpecWithNoSinksCrossesAsNone() {
        TranscodeJob job = new TranscodeJob(Path.of("/s.mp4"), Path.of("/o"), TranscodeJob.POSTER_MID_CLIP,
                RenditionSpec.defaults().withSinks(List.of()));
        assertThat(WorkerProtocol.job(WorkerProtocol.parse(WorkerProtocol.job("1", job))).spec().sinks()).isEmpty();
    }

    @Test
    void aResultCrossesWithEveryRenditionWhateverMadeIt() {
        ProbeFacts facts = new ProbeFacts("mov,mp4,m4a,3gp,3g2,mj2", "h264", null, 1920, 1080, 90, 29.97, true, 61_000,
                12_000_000, true, "aac", 2, "2026-03-01T08:00:00.000000Z");
        TranscodeResult result = new TranscodeResult(facts, List.of(
                new Rendition("poster", Path.of("/work/7/poster.jpg"), "image/jpeg", 720, 1280, null, 180_000),
                new Rendition("storyboard-vtt", Path.of("/work/7/storyboard.vtt"), "text/vtt", 0, 0, null, 4_000),
                new Rendition("preview", Path.of("/work/7/preview.mp4"), "video/mp4", 360, 640, "libopenh264", 4_000_000),
                new Rendition("frame-times", Path.of("/work/7/frame times.txt"), "text/plain", 0, 0, null, 0)),
                "libopenh264", 1830, 5_100, 9_200);

        Message m = WorkerProtocol.parse(WorkerProtocol.done("7", result));

        assertThat(m.verb()).isEqualTo(Verb.DONE);
        assertThat(m.get("id")).isEqualTo("7");
        assertThat(WorkerProtocol.result(m)).isEqualTo(result);
    }

    @Test
    void aFailureCrossesWithItsReasonAndSentence() {
        Message m = WorkerProtocol.parse(WorkerProtocol.failed("9", "not_a_video", "The file could not be opened as a video: x=1 y"));
        assertThat(m.verb()).isEqualTo(Verb.FAILED);
        assertThat(m.get("id")).isEqualTo("9");
        TranscodeException failure = WorkerProtocol.failure(m);
        assertThat(failure.reason()).isEqualTo("not_a_video");
        assertThat(failure.getMessage()).isEqualTo("The file could not be opened as a video: x=1 y");
    }

    @Test
    void theShortMessagesCrossWithTheirFields() {
        Message ready = WorkerProtocol.parse(WorkerProtocol.ready(4242, "libx264"));
        assertThat(ready.verb()).isEqualTo(Verb.READY);
        assertThat(ready.getLong("pid")).isEqualTo(4242);
        assertThat(ready.get("encoder")).isEqualTo("libx264");

        Message probed = WorkerProtocol.parse(WorkerProtocol.probed("3", 61_000));
        assertThat(probed.verb()).isEqualTo(Verb.PROBED);
        assertThat(probed.get("id")).isEqualTo("3");
        assertThat(probed.getLong("durationMs")).isEqualTo(61_000);

        Message heartbeat = WorkerProtocol.parse(WorkerProtocol.heartbeat(120));
        assertThat(heartbeat.verb()).isEqualTo(Verb.HEARTBEAT);
        assertThat(heartbeat.getLong("frames")).isEqualTo(120);

        assertThat(WorkerProtocol.quit()).isEqualTo("quit");
        assertThat(WorkerProtocol.parse("quit").verb()).isEqualTo(Verb.QUIT);
    }

    @Test
    void linesThatAreNoMessageParseToNull() {
        assertThat(WorkerProtocol.parse("")).isNull();
        assertThat(WorkerProtocol.parse("WARNING: a JVM warning on stdout")).isNull();
        assertThat(WorkerProtocol.parse("restart now")).as("an unknown verb").isNull();
        assertThat(WorkerProtocol.parse("done id")).as("a field without a value").isNull();
    }
}
