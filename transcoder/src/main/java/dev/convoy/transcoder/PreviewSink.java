package dev.convoy.transcoder;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AAC;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

import dev.convoy.transcoder.RenditionSpec.PreviewSpec;
import dev.convoy.transcoder.TranscodeResult.Rendition;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;

/**
 * One preview video (H.264 + AAC in MP4, faststart) encoded as the frames pass. Named
 * {@code previews} in a spec, which opens one sink per {@link PreviewSpec}: this one, or a
 * {@link CopiedPreview} for a clip that already is what the preview would be.
 */
final class PreviewSink implements FrameSink {

    static final String NAME = "previews";

    static final FrameSink.Factory FACTORY = FrameSink.Factory.of(NAME, setup -> openAll(setup, true));

    /** The previews encoded always, never copied: what a {@link CopiedPreview} falls back on. */
    static final String ENCODED_NAME = "encoded-previews";

    static final FrameSink.Factory ENCODED_FACTORY = FrameSink.Factory.of(ENCODED_NAME, setup -> openAll(setup, false));

    private final PreviewSpec spec;
    private final Path file;
    private final Dimensions size;
    private final double fps;
    private final String encoder;
    private final FFmpegFrameRecorder recorder;
    private final Yuv420.Upright upright;

    /** One sink per preview in the spec, each recorder started. */
    private static List<FrameSink> openAll(Setup setup, boolean copyWhenFit) throws IOException {
        List<FrameSink> opened = new ArrayList<>();
        try {
            for (PreviewSpec preview : setup.spec().previews()) {
                CopiedPreview copy = copyWhenFit ? CopiedPreview.ifFits(preview, setup) : null;
                if (copy != null) {
                    opened.add(copy);
                    continue;
                }
                PreviewSink sink = new PreviewSink(preview, setup);
                opened.add(sink);
                sink.recorder.start();
            }
            return opened;
        } catch (IOException | RuntimeException e) {
            // The pipeline closes only what it was given: release the recorders started so far.
            for (FrameSink sink : opened) {
                sink.close();
            }
            throw e;
        }
    }

    private PreviewSink(PreviewSpec spec, Setup setup) {
        ProbeFacts facts = setup.facts();
        this.spec = spec;
        this.file = setup.file(spec.fileName());
        this.size = Dimensions.shortSide(facts.displayWidth(), facts.displayHeight(), spec.height());
        this.fps = Math.min(facts.fps() > 0 ? facts.fps() : spec.maxFps(), spec.maxFps());
        this.encoder = setup.h264Encoder();
        boolean audio = facts.hasAudio();
        // Upright sources go to the encoder as decoded (it scales); rotated ones are scaled and turned first.
        this.upright = facts.rotation() == 0 ? null : new Yuv420.Upright(size, facts.rotation());
        recorder = new FFmpegFrameRecorder(file.toFile(), size.width(), size.height(), audio ? spec.audioChannels() : 0);
        recorder.setFormat("mp4");
        recorder.setOption("movflags", "+faststart");
        recorder.setVideoCodecName(encoder);
        recorder.setPixelFormat(AV_PIX_FMT_YUV420P);
        recorder.setFrameRate(fps);
        recorder.setGopSize((int) Math.round(fps * 2));
        recorder.setVideoBitrate(spec.videoBitrate());
        recorder.setVideoOption("threads", Integer.toString(setup.spec().threads()));
        Codecs.tuneH264(recorder, encoder, spec.videoBitrate());
        if (audio) {
            recorder.setAudioCodec(AV_CODEC_ID_AAC);
            recorder.setAudioBitrate(spec.audioBitrate());
            recorder.setSampleRate(setup.sampleRate() > 0 ? setup.sampleRate() : 48_000);
        }
    }

    @Override
    public void accept(Frame picture, long tUs) throws IOException {
        // Frame numbers follow timestamps: this caps the frame rate and keeps VFR timing.
        long frameNumber = Math.round(tUs * fps / 1_000_000.0);
        if (frameNumber < recorder.getFrameNumber()) {
            return;
        }
        recorder.setFrameNumber((int) frameNumber);
        recorder.record(upright == null ? picture : upright.apply(picture), AV_PIX_FMT_YUV420P);
    }

    @Override
    public void acceptAudio(Frame samples) throws IOException {
        recorder.record(samples);
    }

    @Override
    public List<Rendition> finish() throws IOException {
        recorder.stop();
        return List.of(Rendition.video(spec.name(), file, "video/mp4", size, encoder));
    }

    @Override
    public void close() {
        try {
            recorder.release();
        } catch (FrameRecorder.Exception ignored) {
            // Releasing after a failure: the failure is what gets reported.
        }
        if (upright != null) {
            upright.close();
        }
    }
}
