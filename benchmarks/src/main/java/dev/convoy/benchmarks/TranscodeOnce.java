package dev.convoy.benchmarks;

import dev.convoy.transcoder.RenditionPipeline;
import dev.convoy.transcoder.RenditionSpec;
import dev.convoy.transcoder.TestClips;
import dev.convoy.transcoder.TranscodeJob;
import dev.convoy.transcoder.TranscodeResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Times the single-pass transcode of the generated 10 s 1080p30 12 Mbit/s clip (with audio),
 * in a process of its own so that process CPU time is the transcode's alone.
 *
 * <p>Usage: {@code benchmarks/transcode-once.sh [runs] [threads] [small]}; {@code small} takes a 5 s
 * 640x360 clip with audio at 460 kbit/s instead, like a fleet's short incidents (the fleet simulator
 * makes its clips at 2 bits per pixel per second).
 */
public final class TranscodeOnce {

    private TranscodeOnce() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        Path clip = args.length > 2 && args[2].equals("small")
                ? TestClips.get(new TestClips.Spec(640, 360, 30, 5, 640 * 360 * 2, true, "mp4", null, 0, false, 0, false))
                : TestClips.fullHdWithAudio();
        Path out = Files.createTempDirectory("convoy-bench");
        RenditionSpec spec = RenditionSpec.defaults().withThreads(threads);
        RenditionPipeline pipeline = new RenditionPipeline();
        System.out.printf("clip=%s bytes=%d runs=%d threads=%d cores=%d java=%s%n", clip.getFileName(), Files.size(clip),
                runs, threads, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        pipeline.run(new TranscodeJob(clip, out, TranscodeJob.POSTER_MID_CLIP, spec));
        List<TranscodeResult> results = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            TranscodeResult r = pipeline.run(new TranscodeJob(clip, out, TranscodeJob.POSTER_MID_CLIP, spec));
            results.add(r);
            System.out.printf("run=%d frames=%d wall_ms=%d cpu_ms=%d fps=%.1f encoder=%s preview_bytes=%d%n", i + 1,
                    r.framesDecoded(), r.wallMs(), r.cpuMs(), r.framesDecoded() * 1000.0 / r.wallMs(), r.videoEncoder(),
                    Files.size(r.preview().file()));
        }
        TranscodeResult wall = median(results, Comparator.comparingLong(TranscodeResult::wallMs));
        TranscodeResult cpu = median(results, Comparator.comparingLong(TranscodeResult::cpuMs));
        System.out.printf("median wall_ms=%d cpu_ms=%d (clip is %d ms: %.1fx real time)%n", wall.wallMs(), cpu.cpuMs(),
                wall.facts().durationMs(), (double) wall.facts().durationMs() / wall.wallMs());
    }

    private static TranscodeResult median(List<TranscodeResult> results, Comparator<TranscodeResult> order) {
        List<TranscodeResult> sorted = new ArrayList<>(results);
        sorted.sort(order);
        return sorted.get(sorted.size() / 2);
    }
}
