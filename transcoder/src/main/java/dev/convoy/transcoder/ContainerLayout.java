package dev.convoy.transcoder;

import java.nio.charset.StandardCharsets;

/**
 * How a clip's container is laid out, told from its first bytes (never from its file name):
 * whether it can be decoded from the front while the rest is still arriving.
 */
public enum ContainerLayout {
    /** MPEG transport stream (188-byte packets, or 192 with a timecode as M2TS). */
    MPEG_TS(true),
    /** Matroska or WebM. */
    MATROSKA(true),
    /** MP4/MOV whose index (moov) comes before the media: faststart, or fragmented. */
    MP4_INDEX_FIRST(true),
    /** MP4/MOV whose media comes before its index, as most cameras write it: readable once the index arrives. */
    MP4_INDEX_LAST(false),
    /** Not told yet: more bytes are needed (an MP4's first boxes run past those given). */
    NEED_MORE(false),
    /** None of these. */
    OTHER(false);

    private static final int TS_PACKET = 188;
    private static final int M2TS_PACKET = 192;
    private static final byte TS_SYNC = 0x47;

    private final boolean readsFromFront;

    ContainerLayout(boolean readsFromFront) {
        this.readsFromFront = readsFromFront;
    }

    /** True when a pass can read the clip front to back while it arrives. */
    public boolean readsFromFront() {
        return readsFromFront;
    }

    /**
     * The layout of a clip that starts with {@code head[0..length)}; {@code complete} when that
     * is the whole clip (no more bytes will tell more).
     */
    public static ContainerLayout of(byte[] head, int length, boolean complete) {
        if (syncEvery(head, length, 0, TS_PACKET) || syncEvery(head, length, 4, M2TS_PACKET)) {
            return MPEG_TS;
        }
        if (length >= 4 && (head[0] & 0xff) == 0x1a && (head[1] & 0xff) == 0x45 && (head[2] & 0xff) == 0xdf && (head[3] & 0xff) == 0xa3) {
            return MATROSKA;
        }
        ContainerLayout mp4 = isoBoxes(head, length);
        return mp4 == NEED_MORE && complete ? OTHER : mp4;
    }

    /** The sync byte at {@code first} and at three packets after it. */
    private static boolean syncEvery(byte[] head, int length, int first, int packet) {
        if (length < first + 3 * packet + 1) {
            return false;
        }
        for (int i = 0; i < 4; i++) {
            if (head[first + i * packet] != TS_SYNC) {
                return false;
            }
        }
        return true;
    }

    /** Walks the top-level ISO boxes until the index or the media shows up. */
    private static ContainerLayout isoBoxes(byte[] head, int length) {
        if (length < 8) {
            return NEED_MORE;
        }
        String first = type(head, 0);
        if (!first.equals("ftyp") && !first.equals("moov") && !first.equals("mdat") && !first.equals("free")
                && !first.equals("wide") && !first.equals("skip")) {
            return OTHER;
        }
        long at = 0;
        while (at + 8 <= length) {
            int pos = (int) at;
            long size = u32(head, pos);
            String type = type(head, pos);
            if (type.equals("moov") || type.equals("moof")) {
                return MP4_INDEX_FIRST;
            }
            if (type.equals("mdat")) {
                return MP4_INDEX_LAST;
            }
            if (size == 1) {
                if (at + 16 > length) {
                    return NEED_MORE;
                }
                size = (u32(head, pos + 8) << 32) | u32(head, pos + 12);
            }
            if (size < 8) {
                // Zero means "to the end of the file", which leaves no room for an index after it; less than a header is broken.
                return OTHER;
            }
            if (size > length - at) {
                // The next box starts past the bytes given (a huge size is taken the same way: no overflow).
                return NEED_MORE;
            }
            at += size;
        }
        return NEED_MORE;
    }

    private static String type(byte[] head, int pos) {
        return new String(head, pos + 4, 4, StandardCharsets.ISO_8859_1);
    }

    private static long u32(byte[] b, int pos) {
        return ((b[pos] & 0xffL) << 24) | ((b[pos + 1] & 0xffL) << 16) | ((b[pos + 2] & 0xffL) << 8) | (b[pos + 3] & 0xffL);
    }
}
