package dev.convoy.transcoder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;

/**
 * A scrubbing storyboard: one tile every {@code interval} seconds, laid out in a grid in one
 * sprite JPEG, and a WebVTT file whose cues point at each tile ({@code sprite.jpg#xywh=...}).
 * Tiles are taken from the decoded stream as it passes; nothing is decoded twice.
 *
 * <p>The interval is planned from the clip's duration when the container states it. A clip still
 * arriving has no duration yet: its tiles start a second apart, and whenever they would pass the
 * most allowed, every other one is dropped and the interval doubles. Either way the clip's end
 * is not needed before its last frame.
 */
final class Storyboard implements AutoCloseable {

    static final String SPRITE_FILE = "sprite.jpg";
    static final String VTT_FILE = "storyboard.vtt";

    private final int maxTiles;
    /** No duration was stated: the interval doubles as the clip goes on. */
    private final boolean adaptive;
    private final int spriteColumns;
    private final Dimensions tile;
    private final Yuv420.Upright upright;
    private final List<Frame> taken = new ArrayList<>();
    private int intervalS;
    private Frame sprite;

    /** Null when the clip is known to be too short for a storyboard; {@code durationMs} is 0 when unknown. */
    static Storyboard plan(ProbeFacts facts, long durationMs, RenditionSpec spec) {
        if (durationMs > 0 && durationMs < spec.storyboardMinMs()) {
            return null;
        }
        return new Storyboard(facts, durationMs, spec);
    }

    private Storyboard(ProbeFacts facts, long durationMs, RenditionSpec spec) {
        long seconds = (durationMs + 999) / 1000;
        this.intervalS = (int) Math.max(1, (seconds + spec.maxTiles() - 1) / spec.maxTiles());
        this.maxTiles = durationMs <= 0 ? spec.maxTiles()
                : (int) Math.min(spec.maxTiles(), Math.max(1, (durationMs + intervalS * 1000L - 1) / (intervalS * 1000L)));
        this.adaptive = durationMs <= 0;
        this.spriteColumns = spec.spriteColumns();
        this.tile = Dimensions.width(facts.displayWidth(), facts.displayHeight(), spec.tileWidth());
        this.upright = new Yuv420.Upright(tile, facts.rotation());
    }

    int intervalSeconds() {
        return intervalS;
    }

    /** The most tiles this storyboard takes. */
    int tiles() {
        return maxTiles;
    }

    /** The sprite's size, once written: the tiles laid out {@code spriteColumns} to a row. */
    Dimensions spriteSize() {
        return new Dimensions(sprite.imageWidth, sprite.imageHeight);
    }

    /** Offers a decoded frame at {@code tUs} from the clip's start; takes it if a tile is due. */
    void offer(Frame frame, long tUs) {
        if (adaptive && taken.size() >= maxTiles && tUs >= (long) taken.size() * intervalS * 1_000_000L) {
            // More clip than the tiles cover: half as many tiles, twice apart.
            // Tiles 0, 2, 4 ... stay: the odd ones go, from the last odd index down.
            for (int i = (taken.size() - 1) | 1; i > 0; i -= 2) {
                if (i < taken.size()) {
                    taken.remove(i);
                }
            }
            intervalS *= 2;
        }
        if (taken.size() >= maxTiles || tUs < (long) taken.size() * intervalS * 1_000_000L) {
            return;
        }
        taken.add(Yuv420.copy(upright.apply(frame)));
    }

    /** Writes the sprite and the WebVTT file; cues only for tiles that were taken. */
    void write(Path sprite, Path vtt, long durationMs, int qscale) throws FrameRecorder.Exception, IOException {
        int columns = Math.min(spriteColumns, taken.size());
        int rows = (taken.size() + columns - 1) / columns;
        this.sprite = Yuv420.allocate(columns * tile.width(), rows * tile.height());
        Yuv420.black(this.sprite);
        for (int i = 0; i < taken.size(); i++) {
            Yuv420.blit(taken.get(i), this.sprite, (i % columns) * tile.width(), (i / columns) * tile.height());
        }
        Stills.jpeg(sprite, this.sprite, qscale);
        StringBuilder cues = new StringBuilder("WEBVTT\n");
        for (int i = 0; i < taken.size(); i++) {
            long start = (long) i * intervalS * 1000;
            long end = i == taken.size() - 1 ? Math.max(durationMs, start + 1) : Math.min(durationMs, start + intervalS * 1000L);
            cues.append('\n').append(vttTime(start)).append(" --> ").append(vttTime(end)).append('\n')
                    .append(sprite.getFileName()).append("#xywh=")
                    .append((i % columns) * tile.width()).append(',').append((i / columns) * tile.height()).append(',')
                    .append(tile.width()).append(',').append(tile.height()).append('\n');
        }
        Files.writeString(vtt, cues, StandardCharsets.UTF_8);
    }

    int taken() {
        return taken.size();
    }

    static String vttTime(long ms) {
        return String.format(Locale.ROOT, "%02d:%02d:%02d.%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    }

    @Override
    public void close() {
        upright.close();
    }
}
