package dev.convoy.transcoder;

import dev.convoy.transcoder.TranscodeResult.Rendition;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacv.Frame;

/**
 * The poster (spec width) and thumbnails (JPEG and WebP), all from the one frame that
 * {@link PosterPicker} picks as the stream passes, turned upright. Named {@code stills} in a spec.
 */
final class StillsSink implements FrameSink {

    static final String NAME = "stills";
    static final String POSTER = "poster";
    static final String THUMBNAIL = "thumbnail";
    static final String THUMBNAIL_WEBP = "thumbnail-webp";
    static final String POSTER_FILE = "poster.jpg";
    static final String THUMB_FILE = "thumb.jpg";
    static final String THUMB_WEBP_FILE = "thumb.webp";
    private static final int WEBP_QUALITY = 75;

    static final FrameSink.Factory FACTORY = FrameSink.Factory.of(NAME, setup -> List.of(new StillsSink(setup)));

    private final Setup setup;
    private final PosterPicker picker;
    private Frame last;

    private StillsSink(Setup setup) {
        this.setup = setup;
        long posterAtMs = setup.job().posterAtMs();
        // Against a guessed duration an event time is taken as given; the last frame stands in if the clip ends first.
        this.picker = new PosterPicker(posterAtMs, setup.arriving() != null && posterAtMs >= 0 ? tUs -> -1 : setup::durationMs);
    }

    @Override
    public void accept(Frame picture, long tUs) {
        picker.offer(picture, tUs);
        last = picture;
    }

    @Override
    public List<Rendition> finish() throws IOException {
        // The last frame of a clip shorter than the poster time still makes a poster.
        picker.offerLast(last);
        ProbeFacts facts = setup.facts();
        RenditionSpec spec = setup.spec();
        Dimensions posterSize = Dimensions.width(facts.displayWidth(), facts.displayHeight(), spec.posterWidth());
        Dimensions thumbSize = Dimensions.width(facts.displayWidth(), facts.displayHeight(), spec.thumbWidth());
        Path posterFile = setup.file(POSTER_FILE);
        Path thumbFile = setup.file(THUMB_FILE);
        Path webpFile = setup.file(THUMB_WEBP_FILE);
        try (Yuv420.Upright toPoster = new Yuv420.Upright(posterSize, facts.rotation());
             Yuv420.Upright toThumb = new Yuv420.Upright(thumbSize, 0)) {
            Frame poster = toPoster.apply(picker.picked());
            Stills.jpeg(posterFile, poster, spec.posterQuality());
            // The thumbnail scales the upright poster, not the source: a small scale of a small picture.
            Frame thumb = toThumb.apply(poster);
            Stills.jpeg(thumbFile, thumb, spec.posterQuality());
            Stills.webp(webpFile, thumb, WEBP_QUALITY);
        }
        return List.of(
                Rendition.picture(POSTER, posterFile, "image/jpeg", posterSize),
                Rendition.picture(THUMBNAIL, thumbFile, "image/jpeg", thumbSize),
                Rendition.picture(THUMBNAIL_WEBP, webpFile, "image/webp", thumbSize));
    }

    @Override
    public void close() {
        // The picked frame is a direct buffer of the JVM's; the scalers were closed in finish.
    }
}
