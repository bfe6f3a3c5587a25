package dev.convoy.transcoder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;

/**
 * A scrubbing storyboard: one tile every {@code interval} seconds, laid out in a grid in one
 * sprite JPEG, and a WebVTT file whose cues point at each tile ({@code sprite.jpg#xywh=...}).
 * Tiles are taken from the decoded stream as it passes; nothing is decoded twice.
 */
final class Storyboard implements AutoCloseable {

    static final String SPRITE_FILE = "sprite.jpg";
    static final String VTT_FILE = "storyboard.vtt";

    private final long durationMs;
    private final int intervalS;
    private final int tiles;
    private final int columns;
    private final Dimensions tile;
    private final Frame sprite;
    private final Yuv420.Upright upright;
    private int taken;

    /** Null when the clip is too short for a storyboard. */
    static Storyboard plan(ProbeFacts facts, RenditionSpec spec) {
        if (facts.durationMs() < spec.storyboardMinMs()) {
            return null;
        }
        return new Storyboard(facts, spec);
    }

    private Storyboard(ProbeFacts facts, RenditionSpec spec) {
        this.durationMs = facts.durationMs();
        long seconds = (durationMs + 999) / 1000;
        this.intervalS = (int) Math.max(1, (seconds + spec.maxTiles() - 1) / spec.maxTiles());
        this.tiles = (int) Math.min(spec.maxTiles(), Math.max(1, (durationMs + intervalS * 1000L - 1) / (intervalS * 1000L)));
        this.columns = Math.min(spec.spriteColumns(), tiles);
        this.tile = Dimensions.width(facts.displayWidth(), facts.displayHeight(), spec.tileWidth());
        int rows = (tiles + columns - 1) / columns;
        this.sprite = Yuv420.allocate(columns * tile.width(), rows * tile.height());
        Yuv420.black(sprite);
        this.upright = new Yuv420.Upright(tile, facts.rotation());
    }

    int intervalSeconds() {
        return intervalS;
    }

    int tiles() {
        return tiles;
    }

    /** The sprite's size: the tiles laid out {@code columns} to a row. */
    Dimensions spriteSize() {
        return new Dimensions(sprite.imageWidth, sprite.imageHeight);
    }

    /** Offers a decoded frame at {@code tUs} from the clip's start; takes it if a tile is due. */
    void offer(Frame frame, long tUs) {
        if (taken >= tiles || tUs < (long) taken * intervalS * 1_000_000L) {
            return;
        }
        Yuv420.blit(upright.apply(frame), sprite, (taken % columns) * tile.width(), (taken / columns) * tile.height());
        taken++;
    }

    /** Writes the sprite and the WebVTT file; cues only for tiles that were taken. */
    void write(Path sprite, Path vtt, int qscale) throws FrameRecorder.Exception, IOException {
        Stills.jpeg(sprite, this.sprite, qscale);
        StringBuilder cues = new StringBuilder("WEBVTT\n");
        for (int i = 0; i < taken; i++) {
            long start = (long) i * intervalS * 1000;
            long end = i == taken - 1 ? Math.max(durationMs, start + 1) : Math.min(durationMs, start + intervalS * 1000L);
            cues.append('\n').append(vttTime(start)).append(" --> ").append(vttTime(end)).append('\n')
                    .append(sprite.getFileName()).append("#xywh=")
                    .append((i % columns) * tile.width()).append(',').append((i / columns) * tile.height()).append(',')
                    .append(tile.width()).append(',').append(tile.height()).append('\n');
        }
        Files.writeString(vtt, cues, StandardCharsets.UTF_8);
    }

    int taken() {
        return taken;
    }

    static String vttTime(long ms) {
        return String.format(Locale.ROOT, "%02d:%02d:%02d.%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    }

    @Override
    public void close() {
        upright.close();
    }
}
