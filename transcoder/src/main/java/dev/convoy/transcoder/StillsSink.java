package dev.convoy.transcoder;

import dev.convoy.transcoder.TranscodeResult.Rendition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacv.Frame;

/**
 * The poster (spec width) and thumbnails (JPEG and WebP), all from the one frame that
 * {@link PosterPicker} picks as the stream passes, turned upright. Named {@code stills} in a spec.
 *
 * <p>For a clip still arriving the pictures are shown before the pass ends ({@link RenditionPipeline.Progress#stills}):
 * a first set from the first usable frame (checked twice a second), so that an owner sees a
 * picture within moments of the upload's start, and the final set as soon as the picker is done.
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
    /** Where an arriving clip's first pictures are written. */
    static final String FIRST_DIR = "first";

    static final FrameSink.Factory FACTORY = FrameSink.Factory.of(NAME, setup -> List.of(new StillsSink(setup)));

    /** How often an arriving clip's frames are checked for a first picture. */
    private static final long FIRST_PICTURE_CHECK_US = 500_000;

    private final Setup setup;
    private final PosterPicker picker;
    private Frame last;
    /** The final pictures, once written early; finish reports them again. */
    private List<Rendition> written;
    private boolean firstShown;
    private long nextFirstCheckUs;

    private StillsSink(Setup setup) {
        this.setup = setup;
        long posterAtMs = setup.job().posterAtMs();
        // Against a guessed duration an event time is taken as given; the last frame stands in if the clip ends first.
        this.picker = new PosterPicker(posterAtMs, setup.arriving() != null && posterAtMs >= 0 ? tUs -> -1 : setup::durationMs);
    }

    @Override
    public void accept(Frame picture, long tUs) throws IOException {
        picker.offer(picture, tUs);
        last = picture;
        if (setup.arriving() == null || written != null) {
            return;
        }
        if (picker.done()) {
            written = write(picker.picked());
            setup.progress().stills(written);
        } else if (!firstShown && tUs >= nextFirstCheckUs) {
            nextFirstCheckUs = tUs + FIRST_PICTURE_CHECK_US;
            if (PosterPicker.usable(picture)) {
                firstShown = true;
                // Apart from the final ones: files being sent to the store are never written over.
                setup.progress().stills(write(picture, setup.file(FIRST_DIR)));
            }
        }
    }

    @Override
    public List<Rendition> finish() throws IOException {
        if (written != null) {
            return written;
        }
        // The last frame of a clip shorter than the poster time still makes a poster.
        picker.offerLast(last);
        return write(picker.picked());
    }

    /** The poster and thumbnails of {@code frame}, written over any made before. */
    private List<Rendition> write(Frame frame) throws IOException {
        return write(frame, setup.job().outputDir());
    }

    /** The poster and thumbnails of {@code frame}, in {@code dir} (the first pictures go to a folder of their own, never rewritten). */
    private List<Rendition> write(Frame frame, Path dir) throws IOException {
        ProbeFacts facts = setup.facts();
        RenditionSpec spec = setup.spec();
        Dimensions posterSize = Dimensions.width(facts.displayWidth(), facts.displayHeight(), spec.posterWidth());
        Dimensions thumbSize = Dimensions.width(facts.displayWidth(), facts.displayHeight(), spec.thumbWidth());
        Files.createDirectories(dir);
        Path posterFile = dir.resolve(POSTER_FILE);
        Path thumbFile = dir.resolve(THUMB_FILE);
        Path webpFile = dir.resolve(THUMB_WEBP_FILE);
        try (Yuv420.Upright toPoster = new Yuv420.Upright(posterSize, facts.rotation());
             Yuv420.Upright toThumb = new Yuv420.Upright(thumbSize, 0)) {
            Frame poster = toPoster.apply(frame);
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
