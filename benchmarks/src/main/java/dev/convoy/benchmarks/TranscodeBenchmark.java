package dev.convoy.benchmarks;

import dev.convoy.transcoder.RenditionPipeline;
import dev.convoy.transcoder.RenditionSpec;
import dev.convoy.transcoder.TestClips;
import dev.convoy.transcoder.TranscodeException;
import dev.convoy.transcoder.TranscodeJob;
import dev.convoy.transcoder.TranscodeResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The single pass (poster, thumbnails, storyboard, preview) over the generated 1080p30
 * 12 Mbit/s H.264 clip with motion, film-grain noise and AAC audio. One transcode per
 * invocation; besides the time, each iteration reports the frames decoded per second of
 * wall time and the process CPU seconds the clip cost.
 *
 * <p>Run with {@code benchmarks/transcode-bench.sh} (add {@code MAVEN_ARGS=-Pgpl} for libx264).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class TranscodeBenchmark {

    /** Clip length in seconds. */
    @Param({"10"})
    public double seconds;

    /** Codec threads for the pass. */
    @Param({"2"})
    public int threads;

    private Path clip;
    private Path out;
    private final RenditionPipeline pipeline = new RenditionPipeline();

    /** Per-iteration figures JMH prints beside the time. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Figures {
        public double framesPerSecond;
        public double cpuSeconds;

        @Setup(Level.Iteration)
        public void clear() {
            framesPerSecond = 0;
            cpuSeconds = 0;
        }
    }

    @Setup(Level.Trial)
    public void generate() throws IOException {
        clip = TestClips.get(TestClips.Spec.fullHd(seconds, true));
        out = Files.createTempDirectory("convoy-jmh");
    }

    @Benchmark
    public TranscodeResult singlePass(Figures figures) throws TranscodeException {
        TranscodeResult r = pipeline.run(new TranscodeJob(clip, out, TranscodeJob.POSTER_MID_CLIP,
                RenditionSpec.defaults().withThreads(threads)));
        figures.framesPerSecond = r.framesDecoded() * 1000.0 / Math.max(1, r.wallMs());
        figures.cpuSeconds = r.cpuMs() / 1000.0;
        return r;
    }
}
