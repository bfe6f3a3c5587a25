package dev.convoy.transcoder;

import dev.convoy.transcoder.TranscodeResult.Rendition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacv.Frame;

/**
 * A rendition that exists only in the tests, added the way any new one is: a sink, a factory
 * listed in {@code META-INF/services}, and its name in a spec. It writes the clock time of every
 * picture it was given, one per line, so a test can check what sinks receive.
 */
public final class FrameTimes implements FrameSink.Factory {

    static final String NAME = "frame-times";
    static final String FILE = "frame-times.txt";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<FrameSink> open(FrameSink.Setup setup) {
        return List.of(new Sink(setup.file(FILE)));
    }

    private static final class Sink implements FrameSink {
        private final Path file;
        private final List<String> lines = new ArrayList<>();

        Sink(Path file) {
            this.file = file;
        }

        @Override
        public void accept(Frame picture, long tUs) {
            lines.add(Long.toString(tUs));
        }

        @Override
        public List<Rendition> finish() throws IOException {
            Files.write(file, lines);
            return List.of(Rendition.text(NAME, file, "text/plain"));
        }

        @Override
        public void close() {
        }
    }
}
