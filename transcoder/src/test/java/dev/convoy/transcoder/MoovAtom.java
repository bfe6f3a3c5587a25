package dev.convoy.transcoder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Reads top-level MP4 boxes to check that {@code moov} precedes {@code mdat} (faststart). */
public final class MoovAtom {

    private MoovAtom() {
    }

    public static boolean isBeforeMdat(Path mp4) throws IOException {
        try (FileChannel ch = FileChannel.open(mp4)) {
            long pos = 0;
            ByteBuffer header = ByteBuffer.allocate(16);
            while (pos < ch.size()) {
                header.clear();
                ch.read(header, pos);
                header.flip();
                long size = Integer.toUnsignedLong(header.getInt());
                String type = new String(new byte[] {header.get(), header.get(), header.get(), header.get()},
                        StandardCharsets.US_ASCII);
                if (size == 1) {
                    size = header.getLong();
                } else if (size == 0) {
                    size = ch.size() - pos;
                }
                if (type.equals("moov")) {
                    return true;
                }
                if (type.equals("mdat")) {
                    return false;
                }
                pos += size;
            }
            return false;
        }
    }
}
