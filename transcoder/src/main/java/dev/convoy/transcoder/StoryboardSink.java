package dev.convoy.transcoder;

import dev.convoy.transcoder.TranscodeResult.Rendition;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacv.Frame;

/**
 * The scrubbing storyboard of a clip ({@link Storyboard}): a sprite JPEG and its WebVTT cues.
 * Named {@code storyboard} in a spec; a clip shorter than the spec's minimum gets none.
 */
final class StoryboardSink implements FrameSink {

    static final String NAME = "storyboard";
    static final String STORYBOARD = "storyboard";
    static final String STORYBOARD_VTT = "storyboard-vtt";

    static final FrameSink.Factory FACTORY = FrameSink.Factory.of(NAME, setup -> {
        // A clip still arriving states no duration yet: its storyboard spaces its tiles as it goes.
        Storyboard storyboard = Storyboard.plan(setup.facts(), setup.arriving() == null ? setup.facts().durationMs() : 0, setup.spec());
        return storyboard == null ? List.of() : List.of(new StoryboardSink(storyboard, setup));
    });

    private final Storyboard storyboard;
    private final Setup setup;
    private long lastUs;
    private final Path sprite;
    private final Path vtt;
    /** A notch below the poster's quality: tiles are small and seen while scrubbing. */
    private final int qscale;

    private StoryboardSink(Storyboard storyboard, Setup setup) {
        this.storyboard = storyboard;
        this.setup = setup;
        this.sprite = setup.file(Storyboard.SPRITE_FILE);
        this.vtt = setup.file(Storyboard.VTT_FILE);
        this.qscale = setup.spec().posterQuality() + 2;
    }

    @Override
    public void accept(Frame picture, long tUs) {
        storyboard.offer(picture, tUs);
        lastUs = tUs;
    }

    @Override
    public List<Rendition> finish() throws IOException {
        ProbeFacts facts = setup.facts();
        long durationMs = setup.arriving() == null ? facts.durationMs() : RenditionPipeline.measuredDurationMs(lastUs, facts.fps());
        if (storyboard.taken() == 0 || durationMs < setup.spec().storyboardMinMs()) {
            return List.of();
        }
        storyboard.write(sprite, vtt, durationMs, qscale);
        return List.of(
                Rendition.picture(STORYBOARD, sprite, "image/jpeg", storyboard.spriteSize()),
                Rendition.text(STORYBOARD_VTT, vtt, "text/vtt"));
    }

    @Override
    public void close() {
        storyboard.close();
    }
}
