package dev.convoy.transcoder;

/**
 * What probing a clip found out about it. Recorded in the clip's manifest.
 *
 * @param container     the demuxer's name, e.g. {@code mov,mp4,m4a,3gp,3g2,mj2}
 * @param videoCodec    the video decoder's name, e.g. {@code h264}
 * @param profile       the video codec profile, e.g. {@code High}, or null if unknown
 * @param width         coded picture width in pixels
 * @param height        coded picture height in pixels
 * @param rotation      clockwise degrees the picture is turned for display: 0, 90, 180 or 270
 * @param fps           average frame rate
 * @param variableFps   whether frame intervals vary (measured while decoding when a pass ran)
 * @param durationMs    container duration in milliseconds
 * @param bitrate       overall bitrate in bit/s, 0 if unknown
 * @param hasAudio      whether the clip has an audio stream
 * @param audioCodec    the audio decoder's name, or null without audio
 * @param audioChannels number of audio channels, 0 without audio
 * @param creationTime  the container's creation time as written by the camera, or null
 */
public record ProbeFacts(
        String container,
        String videoCodec,
        String profile,
        int width,
        int height,
        int rotation,
        double fps,
        boolean variableFps,
        long durationMs,
        long bitrate,
        boolean hasAudio,
        String audioCodec,
        int audioChannels,
        String creationTime) {

    /** Width as displayed, after rotation. */
    public int displayWidth() {
        return rotation == 90 || rotation == 270 ? height : width;
    }

    /** Height as displayed, after rotation. */
    public int displayHeight() {
        return rotation == 90 || rotation == 270 ? width : height;
    }

    /** As a clip still arriving is known: the container's duration and bitrate are not stated yet (0). */
    ProbeFacts arriving() {
        return new ProbeFacts(container, videoCodec, profile, width, height, rotation, fps, variableFps, 0, 0,
                hasAudio, audioCodec, audioChannels, creationTime);
    }

    /** With the duration its frames showed, and the bitrate of {@code bytes} over it. */
    ProbeFacts measured(long durationMs, long bytes) {
        return new ProbeFacts(container, videoCodec, profile, width, height, rotation, fps, variableFps, durationMs,
                durationMs > 0 ? bytes * 8_000 / durationMs : 0, hasAudio, audioCodec, audioChannels, creationTime);
    }

    ProbeFacts withDurationMs(long measuredMs) {
        return new ProbeFacts(container, videoCodec, profile, width, height, rotation, fps, variableFps, measuredMs, bitrate,
                hasAudio, audioCodec, audioChannels, creationTime);
    }

    ProbeFacts withVariableFps(boolean variable) {
        return new ProbeFacts(container, videoCodec, profile, width, height, rotation, fps, variable, durationMs, bitrate,
                hasAudio, audioCodec, audioChannels, creationTime);
    }
}
