package dev.convoy.transcoder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a JPEG's dimensions from its start-of-frame marker. */
public final class JpegSize {

    private JpegSize() {
    }

    public static Dimensions of(Path jpeg) throws IOException {
        return of(Files.readAllBytes(jpeg));
    }

    public static Dimensions of(byte[] b) {
        if (b.length < 4 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != 0xD8) {
            throw new IllegalArgumentException("not a JPEG (no SOI marker)");
        }
        int i = 2;
        while (i + 9 < b.length) {
            if ((b[i] & 0xFF) != 0xFF) {
                throw new IllegalArgumentException("corrupt JPEG marker at " + i);
            }
            int marker = b[i + 1] & 0xFF;
            int len = ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                int height = ((b[i + 5] & 0xFF) << 8) | (b[i + 6] & 0xFF);
                int width = ((b[i + 7] & 0xFF) << 8) | (b[i + 8] & 0xFF);
                return new Dimensions(width, height);
            }
            i += 2 + len;
        }
        throw new IllegalArgumentException("JPEG has no start-of-frame marker");
    }
}
